"""Drawing a certificate of attendance as a PDF, in the holder's language, from its row.

Nothing of the PDF is stored: the row holds what it certifies (the name as issued, the
reference), and the document is drawn again on each download, always the same.
Dates are the event's days in the event's own zone (a conference in Harbin ended on
the 14th there, whatever the reader's clock says), written as the holder's language
writes dates. Every value goes through Jinja's autoescape; fonts are the system's
Noto CJK and DejaVu, as for visa letters.
"""

from babel.dates import format_date
from flask import Response, render_template
from flask_babel import force_locale

from eventsys.certificates.models import Certificate
from eventsys.database import db
from eventsys.links import external_url
from eventsys.timezones import place_of
from eventsys.visas.models import LetterTemplate

#: the issuer when the office has not yet written its letterhead (visas/letters.office_template)
DEFAULT_SCHOOL = {"en": "School of Astronautics", "zh": "航天学院", "ru": "Школа астронавтики"}


def _long_date(certificate_date, locale: str) -> str:
    # Day first, month in words in every language: "14 April 2027", "14 апреля 2027 г.", "2027年4月14日"
    return format_date(certificate_date, "d MMMM y" if locale == "en" else "long", locale=locale)


def event_dates(certificate: Certificate, locale: str) -> str:
    """The event's first and last day in its zone, in the language: one date when it lasted one day."""
    event = certificate.event
    zone = event.zone
    first, last = event.starts_at.astimezone(zone).date(), event.ends_at.astimezone(zone).date()
    if first == last:
        return _long_date(first, locale)
    return f"{_long_date(first, locale)} – {_long_date(last, locale)}"


def issuer(locale: str) -> str:
    """The school's name as the office's letterhead writes it (Chinese for a Chinese certificate)."""
    template = db.session.get(LetterTemplate, 1)
    if template is None:
        return DEFAULT_SCHOOL.get(locale, DEFAULT_SCHOOL["en"])
    return (template.school_name_zh if locale == "zh" and template.school_name_zh else template.school_name)


def html(certificate: Certificate, locale: str) -> str:
    """The certificate as the HTML WeasyPrint lays out, its words in locale."""
    import segno

    event = certificate.event
    verify_url = external_url("certificates.verify", reference=certificate.reference)
    with force_locale(locale):
        return render_template(
            "certificates/certificate.html", certificate=certificate, event=event, locale=locale,
            dates=event_dates(certificate, locale), place=place_of(event.timezone, locale),
            issued_on=_long_date(certificate.issued_at.astimezone(event.zone).date(), locale),
            issuer=issuer(locale), verify_url=verify_url,
            qr_data_uri=segno.make_qr(verify_url, error="m").png_data_uri(scale=4, light="white"),
        )


def render_pdf(certificate: Certificate, locale: str) -> bytes:
    """The certificate as a PDF, its words in locale."""
    import weasyprint  # imported when a certificate is drawn: it loads Pango, which no other request needs

    return weasyprint.HTML(string=html(certificate, locale), base_url=None).write_pdf()


def pdf_response(certificate: Certificate, locale: str) -> Response:
    """The certificate as a PDF download; no cache keeps it (it names its holder)."""
    return Response(render_pdf(certificate, locale), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{certificate.reference}.pdf"',
        "Cache-Control": "no-store",
    })
