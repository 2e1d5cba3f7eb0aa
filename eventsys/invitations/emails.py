"""The emails invitations cause: the invitation, the one reminder, and the address check of a submission.

They go to the invitee, in the invitation's language. Each carries the personal link:
signed (tokens.py), naming the invitation; whether it still opens anything is decided
by the invitation's status and deadline when it is opened, not by the link's age.
A kind's value is stored in its outbox rows and names its templates: never change one.
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from eventsys import tokens
from eventsys.links import external_url
from eventsys.mail import outbox
from eventsys.mail.kinds import EmailKind
from eventsys.mail.models import OutboundEmail
from eventsys.registration import verification

# The address check of an invitee's submission is the public's email: the same words, another link.
from eventsys.registration.emails import REGISTRATION_VERIFY

INVITATION = "registration_invitation"
INVITATION_REMINDER = "registration_invitation_reminder"

#: the purposes the links are signed for
LINK_PURPOSE = "registration-invitation"
CONFIRM_PURPOSE = "registration-invitation-confirm"
#: the ceiling of a link's age; the invitation's own deadline is the real limit
LINK_MAX_AGE = timedelta(days=800)


def invitation_url(invitation_id: int) -> str:
    """The invitee's personal link: the form, prefilled, and the way to decline."""
    return external_url("invitations.answer",
                        token=tokens.make_token(LINK_PURPOSE, {"invitation": invitation_id}))


def decline_url(invitation_id: int) -> str:
    """The one-click decline page of the invitation."""
    return external_url("invitations.decline",
                        token=tokens.make_token(LINK_PURPOSE, {"invitation": invitation_id}))


def invitation_of(token: str, purpose: str = LINK_PURPOSE) -> int:
    """The invitation a link names; raises tokens.InvalidToken (ExpiredToken included)."""
    max_age = LINK_MAX_AGE if purpose == LINK_PURPOSE else verification.window()
    payload = tokens.read_token(purpose, token, max_age)
    invitation_id = payload.get("invitation") if isinstance(payload, dict) else None
    if not isinstance(invitation_id, int):
        raise tokens.InvalidToken("This link is not valid.")
    return invitation_id


def queue_invitation(invitation) -> None:
    """Queue the invitation email (again, when resent: each sending has its own key)."""
    outbox.enqueue(INVITATION, invitation.email, f"{INVITATION}:{invitation.id}:{invitation.sent_count}",
                   locale=invitation.locale, event_id=invitation.event_id,
                   context={"invitation_id": invitation.id})


def queue_reminder(invitation) -> None:
    """Queue the one reminder before the deadline."""
    outbox.enqueue(INVITATION_REMINDER, invitation.email, f"{INVITATION_REMINDER}:{invitation.id}",
                   locale=invitation.locale, event_id=invitation.event_id,
                   context={"invitation_id": invitation.id})


def queue_confirmation(invitation) -> None:
    """Queue the address check of what the invitee submitted (batches that do not skip it)."""
    link = external_url("invitations.confirm",
                        token=tokens.make_token(CONFIRM_PURPOSE, {"invitation": invitation.id}))
    # As long as the public's address check works (REGISTRATION_VERIFY_MINUTES).
    expires_at = datetime.fromisoformat(invitation.submitted["submitted_at"]) + verification.window()
    outbox.enqueue(REGISTRATION_VERIFY, invitation.email,
                   f"{REGISTRATION_VERIFY}:invitation:{invitation.id}:{invitation.submitted['submitted_at']}",
                   locale=invitation.submitted.get("locale") or invitation.locale,
                   event_id=invitation.event_id,
                   context={"name": invitation.submitted["name"], "verify_url": link,
                            "expires_at": expires_at.isoformat(),
                            "timezone": invitation.submitted.get("timezone")})


def _invitation_context(session: Session, email: OutboundEmail) -> dict:
    # The models import nothing of mail; kept beside its use.
    from eventsys.invitations.models import Invitation

    invitation = session.get(Invitation, email.context["invitation_id"])
    event = invitation.event
    return {
        "invitation": invitation,
        "event": event,
        "event_url": external_url("events.detail", slug=event.slug),
        "answer_url": invitation_url(invitation.id),
        "decline_url": decline_url(invitation.id),
        "reader_zone": None,
    }


#: registered by eventsys.register_email_kinds
KINDS = (
    EmailKind(INVITATION, _invitation_context, label=_l("Invitation to register")),
    EmailKind(INVITATION_REMINDER, _invitation_context, label=_l("Invitation to register: reminder")),
)
