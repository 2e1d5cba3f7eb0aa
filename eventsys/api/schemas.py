"""The shapes of what the API reads and writes; the OpenAPI document is generated from them."""

import marshmallow as ma
from marshmallow import fields, validate

from eventsys.countries import countries
from eventsys.events.models import EventKind, EventMode, EventStatus
from eventsys.registration.answers import LONG_TEXT_MAX, TEXT_MAX
from eventsys.registration.models import (
    AFFILIATION_MAX,
    EMAIL_MAX,
    NAME_MAX,
    AttendeeCategory,
    RegistrationStatus,
)
from eventsys.speakers.models import SpeakerRole
from eventsys.textrules import NUMBER_LIMIT


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
    number_min = fields.Float(allow_none=True, metadata={"description": "Smallest answer (number questions)"})
    number_max = fields.Float(allow_none=True, metadata={"description": "Largest answer (number questions)"})
    whole_numbers = fields.Boolean(metadata={"description": "Only whole numbers (number questions)"})


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


#: one line of text as textrules takes it: no control characters (C0, DEL, C1), so no line breaks either
ONE_LINE = r"^[^\u0000-\u001f\u007f-\u009f]*$"
#: a name in Latin letters as registration/applicants.py takes it (these letters are most of those it takes)
LATIN_NAME = r"^[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff .'\u2019-]*$"
#: the optional Latin name's field, shared by the public and the organisers' ways of registering
LATIN_NAME_DOC = {"maxLength": NAME_MAX, "pattern": LATIN_NAME,
                  "description": "The name in Latin letters (as in travel documents) when `name` is in "
                                 "another script: Latin letters, spaces, hyphens, apostrophes and dots"}

#: how an answer may look, by question kind; the limits are those of registration.answers and textrules
ANSWER_SHAPES = {
    "oneOf": [
        {"type": "string", "maxLength": LONG_TEXT_MAX,
         "description": f"text (at most {TEXT_MAX} characters; long_text {LONG_TEXT_MAX}), a choice, "
                        "a date as YYYY-MM-DD, yes/no, or a number written out"},
        {"type": "number", "minimum": -NUMBER_LIMIT, "maximum": NUMBER_LIMIT},
        {"type": "boolean"},
        {"type": "array", "items": {"type": "string", "maxLength": TEXT_MAX},
         "description": "the choices of a multiple_choice question"},
    ],
}


class RegistrationRequestSchema(Strict):
    """Field types here; the rules on the values live in registration.services, shared with the form.

    The limits stated in metadata are those the service applies (its messages name the
    field), so the OpenAPI document tells clients what will be refused.
    """

    name = fields.String(required=True, metadata={"minLength": 1, "maxLength": NAME_MAX, "pattern": ONE_LINE})
    name_latin = fields.String(load_default="", metadata=LATIN_NAME_DOC)
    email = fields.String(required=True, metadata={"format": "email", "maxLength": EMAIL_MAX})
    affiliation = fields.String(load_default="", metadata={"maxLength": AFFILIATION_MAX, "pattern": ONE_LINE})
    country = fields.String(required=True, metadata={
        "description": "ISO 3166-1 alpha-2, e.g. RU", "minLength": 2, "maxLength": 2,
        "enum": sorted(code for code, _name in countries())})
    category = fields.String(
        required=True, metadata={"description": ", ".join(c.value for c in AttendeeCategory),
                                 "enum": [c.value for c in AttendeeCategory]}
    )
    answers = fields.Dict(
        keys=fields.String(), load_default=dict,
        metadata={"propertyNames": {"pattern": "^[0-9]+$"},
                  "description": "Answers by question id; lists for multiple choice, true/false for yes/no. "
                                 "Text holds no control characters (line breaks only in long_text) and "
                                 "no lone surrogates; numbers are finite.",
                  "additionalProperties": ANSWER_SHAPES},
    )
    consent = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error="Consent to the processing of these details is required."),
    )
    locale = fields.String(load_default=None, validate=validate.Length(max=16))
    timezone = fields.String(load_default=None, allow_none=True, metadata={
        "description": "Where the registrant is, an IANA time zone such as Europe/Moscow: their emails "
                       "then show each time in the event's zone and in theirs", "maxLength": 64})


class UnverifiedRegistrationSchema(Strict):
    status = fields.String(metadata={"description": "Always `unverified`: nothing is held yet",
                                     "enum": ["unverified"]})
    expires_at = fields.AwareDateTime(metadata={"description": "When the emailed link stops working"})
    message = fields.String(metadata={"description": "What the registrant must do, in words to show them"})


class RegistrationResultSchema(Strict):
    status = fields.Enum(RegistrationStatus, by_value=True)
    position = fields.Integer(allow_none=True, metadata={"description": "Place on the waiting list"})
    token = fields.String(metadata={"description": "Secret for the self-service link"})
    manage_url = fields.String(metadata={"description": "The registrant's self-service page"})
