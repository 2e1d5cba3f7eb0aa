"""The emails an event's own changes cause: its kinds, and what their templates get beyond the registration.

Both go to every active registrant (registration.emails.enqueue_for_registrations)
and carry the event's .ics, which replaces (or, for a cancellation, removes) the
entry people imported. A kind's value is stored in its outbox rows and names its
templates (templates/mail/<kind>.*): never change one.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from eventsys.mail.kinds import EmailKind
from eventsys.mail.models import OutboundEmail
from eventsys.registration.emails import event_ics, preload_registrations, registration_context

EVENT_MOVED = "event_moved"
EVENT_CANCELLED = "event_cancelled"


def _move_context(email: OutboundEmail) -> dict:
    """The times a moved event had before, as the instants the templates show."""
    return {name: datetime.fromisoformat(email.context[name]) for name in ("old_starts_at", "old_ends_at")}


def _moved_context(session: Session, email: OutboundEmail) -> dict:
    # A move can give a seat's news after the last reminder has gone: then it carries the meeting link.
    return {**registration_context(session, email, may_carry_meeting_link=True), **_move_context(email)}


#: registered by eventsys.register_email_kinds
KINDS = (
    EmailKind(EVENT_MOVED, _moved_context, ics=event_ics, preload=preload_registrations,
              label=_l("Event moved")),
    EmailKind(EVENT_CANCELLED, registration_context, ics=event_ics, preload=preload_registrations,
              label=_l("Event cancelled")),
)
