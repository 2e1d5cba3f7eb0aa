"""Every model of every domain, imported in one place for create_app() and Alembic."""

from eventsys.accounts.models import EventManager, User
from eventsys.api.models import IdempotentRequest
from eventsys.apitokens.models import ApiToken, TokenScope
from eventsys.certificates.models import Certificate
from eventsys.events.models import Event, EventKind, EventMode, EventStatus, ProgrammeItem
from eventsys.invitations.models import Invitation, InvitationBatch
from eventsys.mail.models import EmailState, OutboundEmail, WorkerHeartbeat
from eventsys.messages.models import Audience, Mailing
from eventsys.registration.models import (
    AttendeeCategory,
    Question,
    QuestionKind,
    Registration,
    RegistrationStatus,
    RegistrationTally,
)
from eventsys.reminders.models import ReminderRun
from eventsys.speakers.models import (
    Engagement,
    Institution,
    InvitationStatus,
    Speaker,
    SpeakerExpertise,
    SpeakerHonour,
    SpeakerRole,
)
from eventsys.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage

__all__ = [
    "ApiToken", "Certificate", "IdempotentRequest", "TokenScope",
    "Audience", "EventManager", "Invitation", "InvitationBatch", "Mailing", "RegistrationTally", "User",
    "WorkerHeartbeat",
    "AttendeeCategory", "EmailState", "Engagement", "Event", "EventKind", "EventMode", "EventStatus",
    "Institution", "InvitationStatus", "OutboundEmail", "ProgrammeItem", "Question", "QuestionKind",
    "Registration", "RegistrationStatus", "ReminderRun", "Speaker", "SpeakerExpertise", "SpeakerHonour",
    "SpeakerRole", "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint", "WebhookMessage",
]
