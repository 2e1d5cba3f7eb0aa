"""The public side of visa letters: asking for one, downloading it, and checking a reference.

Asking is reached from the requester's own page (a registrant's self-service link, or
the signed link on an accepted speaker's invitation page); downloading needs the signed
link from the email; checking needs only the reference, and tells a stranger nothing
beyond what the letter itself shows an embassy.
"""

from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from eventsys import tokens
from eventsys.extensions import limiter
from eventsys.public_limits import public_link_limit
from eventsys.visas import emails, services
from eventsys.visas.forms import LetterRequestForm
from eventsys.visas.models import LetterStatus

bp = Blueprint("visas", __name__)

#: what a speaker's letter link is signed for, and how long it works
SPEAKER_PURPOSE = "visa-speaker"
SPEAKER_LINK_AGE = timedelta(days=365)
#: pages and files with passport details: no browser or proxy cache keeps them
NO_STORE = {"Cache-Control": "no-store"}



def speaker_link_token(engagement_id: int) -> str:
    """The signed token of an accepted speaker's letter page."""
    return tokens.make_token(SPEAKER_PURPOSE, {"engagement": engagement_id})


def _id_in(payload, key: str) -> int | None:
    """The id a signed link's payload names under key; None for a payload of another shape."""
    value = payload.get(key) if isinstance(payload, dict) else None
    return value if isinstance(value, int) else None


def _request_page(requester: services.Requester, form: LetterRequestForm, action: str, status: int = 200):
    """The requester's letters, and the form while they may ask for one."""
    letters = services.letters_of(requester)
    blocked = services.why_not_eligible(requester)
    open_letter = next((letter for letter in letters if letter.status in services.OPEN), None)
    if form.purpose.data is None and not form.is_submitted():
        # In English whatever the page's language: the letter prints it as written, in English and Chinese.
        with force_locale("en"):
            form.purpose.data = _("To attend %(event)s", event=requester.event.title)
    page = render_template("visas/request.html", requester=requester, event=requester.event, form=form,
                           letters=letters, blocked=blocked, open_letter=open_letter, action=action)
    return page, status, NO_STORE


def _handle(requester: services.Requester, action: str):
    form = LetterRequestForm()
    if not form.is_submitted():
        return _request_page(requester, form, action)
    if not form.validate():
        return _request_page(requester, form, action, 422)
    try:
        services.request_letter(requester, form.request())
    except services.LetterRefused as refused:
        for name, messages in refused.errors.items():
            target = form[name] if name and name in form else None
            (target.errors.extend(messages) if target is not None and isinstance(target.errors, list)
             else form.form_errors.extend(messages))
        return _request_page(requester, form, action, 422)
    flash(_("Your request is with the organisers. We will email you when they have decided."), "success")
    return redirect(action, code=303)


@bp.route("/r/<token>/visa-letter", methods=["GET", "POST"])
@limiter.limit(public_link_limit)
def registrant_letter(token: str):
    """A registrant's letter page, reached from their registration page."""
    requester = services.registrant(token) or abort(404)
    return _handle(requester, url_for("visas.registrant_letter", token=token))


@bp.route("/visa-letters/speaker/<token>", methods=["GET", "POST"])
@limiter.limit(public_link_limit)
def speaker_letter(token: str):
    """An accepted speaker's letter page, reached from their invitation page."""
    try:
        payload = tokens.read_token(SPEAKER_PURPOSE, token, SPEAKER_LINK_AGE)
    except tokens.InvalidToken:
        abort(404)
    engagement_id = _id_in(payload, "engagement")
    requester = services.speaker(engagement_id) if engagement_id else None
    if requester is None:
        abort(404)
    return _handle(requester, url_for("visas.speaker_letter", token=token))


@bp.get("/visa-letters/<token>/letter.pdf")
@limiter.limit(public_link_limit)
def download(token: str):
    """The issued letter, by the signed link in its email."""
    try:
        payload = tokens.read_token(emails.DOWNLOAD_PURPOSE, token, emails.download_link_age())
    except tokens.ExpiredToken:
        return render_template("visas/unavailable.html", reason=_(
            "This download link has expired. Ask the organisers to send the letter again.")), 410
    except tokens.InvalidToken:
        abort(404)
    letter_id = _id_in(payload, "letter")
    letter = services.letter_by_id(letter_id) if letter_id else None
    if letter is None:
        abort(404)
    pdf = services.issued_pdf(letter)
    if pdf is None:
        revoked = letter.status is LetterStatus.revoked
        reason = (_("This letter has been withdrawn by the organisers.") if revoked
                  else _("This letter is no longer kept: passport details are erased after the event."))
        return render_template("visas/unavailable.html", reason=reason), 410
    return pdf_response(pdf, letter.reference)


def pdf_response(pdf: bytes, reference: str) -> Response:
    """The PDF as a download that no cache keeps (it carries passport details)."""
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="invitation-letter-{reference}.pdf"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
    })


@bp.get("/verify/letters")
@limiter.limit(public_link_limit)
def verify_form():
    """Where an embassy types a reference."""
    reference = (request.args.get("reference") or "").strip()
    if reference:
        return redirect(url_for("visas.verify", reference=reference[:40]), code=303)
    return render_template("visas/verify.html", letter=None, reference=None)


@bp.get("/verify/letters/<reference>")
@limiter.limit(public_link_limit)
def verify(reference: str):
    """Whether a reference is a genuine letter, valid or revoked; nothing at all for one we never issued."""
    letter = services.by_reference(reference)
    if letter is None:
        return render_template("visas/verify.html", letter=None, reference=reference[:40]), 404
    return render_template("visas/verify.html", letter=letter, reference=letter.reference,
                           event=letter.event, valid=services.is_valid(letter))
