"""The shapes of what the API reads and writes; the OpenAPI document is generated from them."""

import marshmallow as ma
from marshmallow import fields, validate

from eventsys.events.models import EventKind, EventMode, EventStatus
from eventsys.registration.models import (
    AttendeeCategory,
    RegistrationStatus,
)
from eventsys.speakers.models import SpeakerRole


class Strict(ma.Schema):
    """Unknown fields are an error, so a typo in a field name is reported, not ignored."""

    class Meta:
        unknown = ma.RAISE


class EventQuerySchema(Strict):
    kind = fields.Enum(EventKind, by_value=True, metadata={"description": "Only events of this kind"})


class InstitutionSchema(Strict):
    name = fields.String()
    country = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})
    partner = fields.Boolean()


class SpeakerSchema(Strict):
    id = fields.Integer()
    name = fields.String()
    title = fields.String(metadata={"description": "Academic title, e.g. Prof."})
    country = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})
    institution = fields.Nested(InstitutionSchema, allow_none=True)
    honours = fields.List(fields.String())


class EventSpeakerSchema(Strict):
    speaker = fields.Nested(SpeakerSchema)
    roles = fields.List(fields.Enum(SpeakerRole, by_value=True))


class ProgrammeSpeakerSchema(Strict):
    speaker = fields.Nested(SpeakerSchema)
    role = fields.Enum(SpeakerRole, by_value=True)


class ProgrammeItemSchema(Strict):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    location = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    speakers = fields.List(fields.Nested(ProgrammeSpeakerSchema), attribute="engagements")


class QuestionSchema(Strict):
    id = fields.Integer(metadata={"description": "Key of the answer in `answers`"})
    label = fields.String()
    help_text = fields.String()
    kind = fields.String(
        metadata={"description": "text, long_text, single_choice, multiple_choice, yes_no, number or date"}
    )
    required = fields.Boolean()
    options = fields.List(fields.String())


class EventSummarySchema(Strict):
    slug = fields.String()
    kind = fields.Enum(EventKind, by_value=True)
    mode = fields.Enum(EventMode, by_value=True)
    status = fields.Enum(EventStatus, by_value=True)
    title = fields.String()
    summary = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    timezone = fields.String(metadata={"description": "IANA timezone the event is held in"})
    venue = fields.String()
    language = fields.String()
    capacity = fields.Integer(allow_none=True, metadata={"description": "null: unlimited"})
    seats_left = fields.Integer(allow_none=True, metadata={"description": "null: unlimited"})


class EventDetailSchema(EventSummarySchema):
    description = fields.String()
    registration_opens_at = fields.AwareDateTime(allow_none=True)
    registration_closes_at = fields.AwareDateTime(allow_none=True)
    registration_open = fields.Boolean()
    programme = fields.List(fields.Nested(ProgrammeItemSchema))
    speakers = fields.List(fields.Nested(EventSpeakerSchema))
    questions = fields.List(fields.Nested(QuestionSchema))


class RegistrationRequestSchema(Strict):
    """Field types only: the rules on the values live in registration.services, shared with the form."""

    name = fields.String(required=True)
    email = fields.String(required=True)
    affiliation = fields.String(load_default="")
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2, e.g. RU"})
    category = fields.String(
        required=True, metadata={"description": ", ".join(c.value for c in AttendeeCategory)}
    )
    answers = fields.Dict(
        keys=fields.String(), load_default=dict,
        metadata={"description": "Answers by question id; lists for multiple choice, true/false for yes/no"},
    )
    consent = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error="Consent to the processing of these details is required."),
    )
    locale = fields.String(load_default=None, validate=validate.Length(max=16))


class RegistrationResultSchema(Strict):
    status = fields.Enum(RegistrationStatus, by_value=True)
    position = fields.Integer(allow_none=True, metadata={"description": "Place on the waiting list"})
    token = fields.String(metadata={"description": "Secret for the self-service link"})
    manage_url = fields.String(metadata={"description": "The registrant's self-service page"})
