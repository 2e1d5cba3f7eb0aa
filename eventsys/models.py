"""Every model of every domain, imported in one place for create_app() and Alembic."""

from eventsys.events.models import Event, EventKind, EventMode, EventStatus, ProgrammeItem
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration.models import (
    AttendeeCategory,
    Question,
    QuestionKind,
    Registration,
    RegistrationStatus,
)
from eventsys.speakers.models import (
    Engagement,
    Institution,
    Speaker,
    SpeakerExpertise,
    SpeakerHonour,
    SpeakerRole,
)

__all__ = [
    "AttendeeCategory", "EmailState", "Engagement", "Event", "EventKind", "EventMode", "EventStatus",
    "Institution", "OutboundEmail", "ProgrammeItem", "Question", "QuestionKind", "Registration",
    "RegistrationStatus", "Speaker", "SpeakerExpertise", "SpeakerHonour", "SpeakerRole",
]
