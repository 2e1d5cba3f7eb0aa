"""The email of an organiser's mailing: its kind, and the message and reader its templates get.

A registrant's copy is about their registration and gets its whole context (name,
links); a speaker's copy has no registration, and gets only the event, the name
riding in the row's own context. The kind's value is stored in its outbox rows
and names its templates (templates/mail/mailing.*): never change it.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from eventsys.events.models import Event, EventStatus
from eventsys.links import external_url
from eventsys.mail.kinds import EmailKind
from eventsys.mail.models import OutboundEmail
from eventsys.messages.models import Mailing
from eventsys.registration.emails import preload_registrations, registration_context

MAILING = "mailing"


def _mailing_context(session: Session, email: OutboundEmail, context: dict) -> dict:
    """An organiser's message from its Mailing row; a speaker's copy has no registration: add its event."""
    # The session keeps only objects someone holds: without this, each copy of a batch reads the row again.
    held = session.info.setdefault("mailings", {})
    mailing_id = email.context["mailing_id"]
    if mailing_id not in held:
        held[mailing_id] = session.get(Mailing, mailing_id)
    extra = {"mailing": held[mailing_id]}
    if "event" not in context:
        event = session.get(Event, email.event_id)
        extra["event"] = event
        extra["event_url"] = external_url("events.detail", slug=event.slug) \
            if event.status is EventStatus.published else None
    return extra


def _copy_context(session: Session, email: OutboundEmail) -> dict:
    context = registration_context(session, email) if email.registration_id is not None else {}
    return {**context, **_mailing_context(session, email, context)}


#: registered by eventsys.register_email_kinds
KINDS = (
    EmailKind(MAILING, _copy_context, preload=preload_registrations, label=_l("Message from the organisers")),
)
