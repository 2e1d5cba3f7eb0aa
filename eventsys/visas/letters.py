"""Writing the letter: the office's template filled for one holder, as a PDF on the letterhead.

The template's body is plain text with {placeholders}; each value is escaped before it
enters the HTML that WeasyPrint lays out, so a name or a purpose cannot add markup to
an official document. Fonts are the system's (Noto CJK and DejaVu from Debian's
packages, installed by `make setup`), so Chinese, Japanese, Korean and Cyrillic names
print as themselves.
"""

import base64
import string
from dataclasses import dataclass
from datetime import date

import segno
from babel.dates import format_date
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from eventsys.countries import country_name
from eventsys.database import db
from eventsys.links import external_url
from eventsys.visas.models import LetterTemplate, VisaLetter
from eventsys.visas.passports import PassportDetails

#: what a template's body may name, and what each stands for (shown beside the template form)
PLACEHOLDERS = {
    "full_name": _l("the holder's full name, as in the passport"),
    "passport_number": _l("the passport number"),
    "nationality": _l("the holder's nationality"),
    "date_of_birth": _l("the date of birth"),
    "event": _l("the event's title"),
    "event_dates": _l("the event's first and last day"),
    "venue": _l("the event's venue"),
    "arrival": _l("the planned arrival date"),
    "departure": _l("the planned departure date"),
    "purpose": _l("the purpose of the visit"),
    "consulate": _l("the embassy or consulate"),
    "reference": _l("the letter's reference number"),
    "issued_on": _l("the date the letter is issued"),
}

DEFAULT_BODY = (
    "To the Visa Section of {consulate}\n\n"
    "This is to certify that {full_name}, born on {date_of_birth}, nationality: {nationality}, "
    "passport number {passport_number}, is invited to {event}, held at {venue}, {event_dates}.\n\n"
    "Purpose of the visit: {purpose}. The planned stay is from {arrival} to {departure}.\n\n"
    "We kindly ask you to issue the appropriate visa. This letter can be verified online with its "
    "reference number {reference}."
)
DEFAULT_BODY_ZH = (
    "致{consulate}签证处：\n\n"
    "兹证明{full_name}（{nationality}公民，出生日期{date_of_birth}，护照号码{passport_number}）"
    "应邀参加于{event_dates}在{venue}举办的{event}。\n\n"
    "来访目的：{purpose}。计划停留时间：{arrival}至{departure}。\n\n"
    "恳请贵处惠予办理签证。本函可凭编号{reference}在线核验。"
)


class TemplateError(ValueError):
    """A body names a placeholder we do not have, or is not a well-formed template."""


def placeholder_errors(body: str) -> list[str]:
    """What is wrong with the {placeholders} of a body; empty when every one is known."""
    try:
        names = [name for _text, name, _spec, _conv in string.Formatter().parse(body) if name is not None]
    except ValueError:
        return [str(_l("A { or } is not closed. Write {{ or }} for a brace itself."))]
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    if unknown:
        return [str(_l("Unknown placeholders: %(names)s.", names=", ".join("{" + n + "}" for n in unknown)))]
    return []


def office_template() -> LetterTemplate:
    """The office's template, made from the defaults the first time it is asked for."""
    template = db.session.get(LetterTemplate, 1)
    if template is None:
        template = LetterTemplate(
            id=1, school_name="School of Astronautics", school_name_zh="航天学院",
            address="Harbin, Heilongjiang, People's Republic of China", address_zh="中国黑龙江省哈尔滨市",
            signatory_name="", signatory_title="Director, International Exchange Office",
            signatory_title_zh="国际交流办公室主任", body=DEFAULT_BODY, body_zh=DEFAULT_BODY_ZH,
        )
        db.session.add(template)
        db.session.flush()
    return template


def _long_date(day: date, locale: str) -> str:
    # "17 May 1980": day first, month in words, as official letters to embassies are dated everywhere
    # (CLDR's American "May 17, 1980" is read the other way round by half the readers)
    return format_date(day, "d MMMM y" if locale == "en" else "long", locale=locale)


def _values(letter: VisaLetter, details: PassportDetails, locale: str, issued_on: date) -> dict[str, str]:
    """Every placeholder's text in the letter's language, unescaped."""
    event = letter.event
    zone = event.zone
    first, last = event.starts_at.astimezone(zone).date(), event.ends_at.astimezone(zone).date()
    dates = (_long_date(first, locale) if first == last
             else f"{_long_date(first, locale)} – {_long_date(last, locale)}")
    return {
        "full_name": details.full_name,
        "passport_number": details.passport_number,
        "nationality": country_name(details.nationality, locale),
        "date_of_birth": _long_date(details.date_of_birth, locale),
        "event": event.title,
        "event_dates": dates,
        "venue": event.venue or ("online" if locale == "en" else "线上"),
        "arrival": _long_date(letter.arrival_on, locale),
        "departure": _long_date(letter.departure_on, locale),
        "purpose": letter.purpose,
        "consulate": letter.consulate,
        "reference": letter.reference or "",
        "issued_on": _long_date(issued_on, locale),
    }


def fill(body: str, values: dict[str, str]) -> Markup:
    """The body with its placeholders filled, as escaped HTML paragraphs."""
    escaped = {name: escape(value) for name, value in values.items()}
    text = str(escape(body)).format_map(escaped) if body else ""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return Markup("".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs))


@dataclass(frozen=True)
class LetterText:
    """What the PDF prints, ready for the template."""

    body: Markup
    body_zh: Markup | None
    verify_url: str
    qr_data_uri: str
    issued_on: str


def letter_text(letter: VisaLetter, details: PassportDetails, template: LetterTemplate,
                issued_on: date) -> LetterText:
    """The filled texts (English, and Chinese where the template has it) and the verification QR code."""
    verify_url = external_url("visas.verify", reference=letter.reference)
    qr_data_uri = segno.make_qr(verify_url, error="m").png_data_uri(scale=4, light="white")
    body_zh = fill(template.body_zh, _values(letter, details, "zh", issued_on)) if template.body_zh.strip() \
        else None
    return LetterText(
        body=fill(template.body, _values(letter, details, "en", issued_on)), body_zh=body_zh,
        verify_url=verify_url, qr_data_uri=qr_data_uri, issued_on=_long_date(issued_on, "en"),
    )


def render_pdf(letter: VisaLetter, details: PassportDetails, template: LetterTemplate,
               issued_on: date) -> bytes:
    """The letter as a PDF (English, with the Chinese text after it where the template provides one)."""
    import weasyprint  # imported when a letter is made: it loads Pango, which no request path needs

    text = letter_text(letter, details, template, issued_on)
    seal = None
    if template.seal_image:
        seal = f"data:{template.seal_mimetype};base64,{base64.b64encode(template.seal_image).decode()}"
    with force_locale("en"):
        html = render_template("visas/letter.html", letter=letter, template=template, text=text, seal=seal)
    return weasyprint.HTML(string=html, base_url=None).write_pdf()
