"""The reminder email: its kind, sent to each registrant (registration.emails.enqueue_for_registrations).

Its templates get the registration context and what the row itself holds (the
offset, how long until the start, whether it brings the meeting link). The kind's
value is stored in its outbox rows and names its templates: never change it.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from eventsys.mail.kinds import EmailKind
from eventsys.mail.models import OutboundEmail
from eventsys.registration.emails import preload_registrations, registration_context

REMINDER = "reminder"


def reminder_context(session: Session, email: OutboundEmail) -> dict:
    """The registration's context, and how long until the start in words of the email's language."""
    from eventsys.reminders.services import starts_in  # services imports this module for REMINDER

    context = registration_context(session, email)
    if "starts_in_minutes" in email.context:
        # Rows queued before the count was stored carry the words ("starts_in") already, in English.
        context["starts_in"] = starts_in(email.context["starts_in_minutes"])
    return context


#: registered by eventsys.register_email_kinds
KINDS = (
    EmailKind(REMINDER, reminder_context, preload=preload_registrations, label=_l("Reminder")),
)
