"""The reminder email: its kind, sent to each registrant (registration.emails.enqueue_for_registrations).

Its templates get the registration context and what the row itself holds (the
offset, how long until the start, whether it brings the meeting link). The kind's
value is stored in its outbox rows and names its templates: never change it.
"""

from eventsys.mail.kinds import EmailKind
from eventsys.registration.emails import preload_registrations, registration_context

REMINDER = "reminder"

#: registered by eventsys.register_email_kinds
KINDS = (
    EmailKind(REMINDER, registration_context, preload=preload_registrations),
)
