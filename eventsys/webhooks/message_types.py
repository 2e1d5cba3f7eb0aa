"""The kinds of webhook message: their names, as receivers see them in `type`, and how pages label them.

A name is part of our contract with every receiver, and stored in endpoints'
subscriptions: never rename one.
"""

from flask_babel import lazy_gettext as _l

REGISTRATION_CREATED = "registration.created"
REGISTRATION_CANCELLED = "registration.cancelled"
REGISTRATION_PROMOTED = "registration.promoted"
INVITATION_ANSWERED = "invitation.answered"
SPEAKER_INVITATION_ANSWERED = "speaker.invitation_answered"
EMAIL_FAILED = "email.failed"
EVENT_UPDATED = "event.updated"
EVENT_CANCELLED = "event.cancelled"
#: sent to one endpoint by its "Send a test event" button; nobody subscribes to it
TEST = "webhook.test"

#: what an endpoint can subscribe to, in the order the form lists them, with what the form says of each
SUBSCRIBABLE = {
    REGISTRATION_CREATED: _l("Someone registered (confirmed, waiting or awaiting approval)"),
    REGISTRATION_CANCELLED: _l("A registration was cancelled"),
    REGISTRATION_PROMOTED: _l("Someone moved up from the waiting list"),
    INVITATION_ANSWERED: _l("An invitation to register was answered"),
    SPEAKER_INVITATION_ANSWERED: _l("A speaker answered an invitation"),
    EMAIL_FAILED: _l("An email to a registrant or speaker could not be delivered"),
    EVENT_UPDATED: _l("The event's details were changed or it was published"),
    EVENT_CANCELLED: _l("The event was cancelled"),
}

#: every name a message may carry
KNOWN = frozenset(SUBSCRIBABLE) | {TEST}
