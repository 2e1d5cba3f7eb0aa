"""The emails of visa letters: issued (with its download link), rejected, revoked.

They go to the requester, in the language they asked in. The letter itself is not
attached: it prints a passport number, so it stays behind a signed, expiring link
(a mailbox keeps attachments for ever), and the email says nothing from the passport.
A kind's value is stored in its outbox rows and names its templates: never change one.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from eventsys import tokens
from eventsys.links import external_url
from eventsys.mail import outbox
from eventsys.mail.kinds import EmailKind
from eventsys.mail.models import OutboundEmail

LETTER_ISSUED = "visa_letter_issued"
LETTER_REJECTED = "visa_letter_rejected"
LETTER_REVOKED = "visa_letter_revoked"

#: the purpose download links are signed for
DOWNLOAD_PURPOSE = "visa-letter"


def download_link_age() -> timedelta:
    """How long a download link works (VISA_LETTER_LINK_DAYS)."""
    return timedelta(days=int(current_app.config.get("VISA_LETTER_LINK_DAYS") or 180))


def download_url(letter_id: int) -> str:
    """The signed link to the issued letter's PDF."""
    return external_url("visas.download", token=tokens.make_token(DOWNLOAD_PURPOSE, {"letter": letter_id}))


def _letter_context(session: Session, email: OutboundEmail) -> dict:
    from eventsys.visas.models import VisaLetter  # the models import nothing of mail; kept beside its use

    letter = session.get(VisaLetter, email.context["letter_id"])
    context = {"letter": letter, "event": letter.event, "name": letter.requester_name}
    if letter.reference:
        context["verify_url"] = external_url("visas.verify", reference=letter.reference)
    return context


def _issued_context(session: Session, email: OutboundEmail) -> dict:
    context = _letter_context(session, email)
    context["download_url"] = download_url(context["letter"].id)
    return context


def _queue(kind: str, letter) -> None:
    outbox.enqueue(kind, letter.email, f"{kind}:{letter.id}", locale=letter.locale,
                   context={"letter_id": letter.id}, event_id=letter.event_id,
                   registration_id=letter.registration_id)


def queue_letter_issued(letter) -> None:
    """Tell the requester the letter is ready, with its link."""
    _queue(LETTER_ISSUED, letter)


def queue_letter_rejected(letter) -> None:
    """Tell the requester the request was refused, and why."""
    _queue(LETTER_REJECTED, letter)


def queue_letter_revoked(letter) -> None:
    """Tell the holder the letter was withdrawn, and why."""
    _queue(LETTER_REVOKED, letter)


#: registered by eventsys.register_email_kinds
KINDS = (
    EmailKind(LETTER_ISSUED, _issued_context, label=_l("Visa letter issued")),
    EmailKind(LETTER_REJECTED, _letter_context, label=_l("Visa letter refused")),
    EmailKind(LETTER_REVOKED, _letter_context, label=_l("Visa letter withdrawn")),
)
