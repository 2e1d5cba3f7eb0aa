"""The office's speaker directory: search and filters as on the web, one record, add, change, delete.

Office-wide, as the directory pages: every organiser's token reaches every speaker.
The rules are the records' (speakers/records.py), shared with the pages and the CSV
import; a speaker who took part in an event cannot be deleted (409 says so).
"""

from flask import url_for
from flask_babel import gettext as _
from flask_smorest import abort
from marshmallow import fields, validate

from eventsys.api import pagination
from eventsys.api.organiser import organiser_blueprint
from eventsys.api.organiser.docs import reads, writes
from eventsys.api.organiser.fields import Country, Line, Text, all_optional
from eventsys.api.organiser.refusals import conflict, refuse
from eventsys.api.schemas import Strict
from eventsys.speakers import directory, records
from eventsys.speakers.models import Speaker

blp = organiser_blueprint("organiser_speakers", __name__, "The office's speaker directory")

#: honours or fields of expertise one speaker may list
TAGS_MAX = 50


class SpeakerChangeSchema(Strict):
    """A speaker's record as the organiser describes it; the rules are speakers/records.py's."""

    name = Line(200, required=True)
    country = Country(required=True, metadata={"description": "Where the speaker works, ISO 3166-1 alpha-2"})
    title = Line(100, load_default="", metadata={"description": "As the speaker uses it: Prof., Academician"})
    email = Line(254, load_default=None, allow_none=True, metadata={
        "description": "Needed to invite the speaker; two speakers cannot share one"})
    institution_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=validate.Range(1, 2**31 - 1))
    biography = Text(10000, load_default="")
    honours = fields.List(Line(records.TAG_MAX), load_default=list, validate=validate.Length(max=TAGS_MAX))
    expertise = fields.List(Line(records.TAG_MAX), load_default=list, validate=validate.Length(max=TAGS_MAX))
    locale = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16), metadata={
        "description": "The language of the speaker's emails (en, zh, ru); null: their country's"})
    timezone = Line(64, load_default=None, allow_none=True, metadata={
        "description": "Where the speaker lives (IANA); null or empty: not known"})


SpeakerPatchSchema = all_optional(SpeakerChangeSchema, "SpeakerPatchSchema")


class SpeakerInstitutionSchema(Strict):
    id = fields.Integer()
    name = fields.String()
    country = fields.String()
    partner = fields.Boolean()


class SpeakerRecordSchema(Strict):
    id = fields.Integer()
    name = fields.String()
    title = fields.String()
    email = fields.String(allow_none=True)
    country = fields.String()
    institution = fields.Nested(SpeakerInstitutionSchema, allow_none=True)
    biography = fields.String()
    honours = fields.List(fields.String())
    expertise = fields.List(fields.String())
    locale = fields.String()
    timezone = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class SpeakerListItemSchema(SpeakerRecordSchema):
    event_count = fields.Integer(metadata={"description": "Events the speaker took part in"})


SpeakerPageSchema = pagination.page_schema(SpeakerListItemSchema, "SpeakerPageSchema")


class SpeakerListQuerySchema(Strict):
    q = Line(200, metadata={"description": "Part of the name or email, any case"})
    country = Country()
    institution_id = fields.Integer(strict=False, validate=validate.Range(1, 2**31 - 1))
    honour = Line(records.TAG_MAX)
    expertise = Line(records.TAG_MAX)
    partners_only = fields.Boolean(load_default=False, metadata={
        "description": "Only speakers of partner institutions"})
    limit = pagination.limit_field()
    after = pagination.after_field()


def _record(speaker: Speaker) -> dict:
    return {name: getattr(speaker, name) for name in SpeakerRecordSchema._declared_fields}


def _details(values: dict) -> records.SpeakerDetails:
    return records.SpeakerDetails(
        name=values["name"], country=values["country"], title=values["title"], email=values["email"],
        institution_id=values["institution_id"], biography=values["biography"], honours=values["honours"],
        expertise=values["expertise"], locale=values["locale"], timezone=values["timezone"] or "")


def _speaker(speaker_id: int) -> Speaker:
    return directory.speaker_with_details(speaker_id) or refuse_unknown()


def refuse_unknown():
    """404: no speaker has this id."""
    abort(404, errors={"speaker_id": [_("There is no speaker with this id.")]})


@blp.route("/speakers", methods=["GET"])
@blp.arguments(SpeakerListQuerySchema(), location="query")
@blp.response(200, SpeakerPageSchema, headers=pagination.LINK_HEADER)
@reads(blp, found=False)
def list_speakers(query):
    """Speakers by name, searched and filtered as in the directory."""
    filters = directory.SpeakerFilters(
        text=query.get("q", ""), country=query.get("country", ""),
        institution_id=query.get("institution_id"), honour=query.get("honour", ""),
        expertise=query.get("expertise", ""), partners_only=query["partners_only"])
    keyset = pagination.Keyset(columns=directory.speaker_order(), shape=(str, int))
    after = pagination.after_key(query["after"], keyset.shape)
    page = pagination.page_of_query(directory.speakers_matching(filters), keyset, after, query["limit"],
                                    scalars=False)
    return pagination.answer(page, lambda row: _record(row.Speaker) | {"event_count": row.event_count})


@blp.route("/speakers", methods=["POST"])
@blp.arguments(SpeakerChangeSchema())
@blp.response(201, SpeakerRecordSchema,
              headers={"Location": {"description": "The new record", "schema": {"type": "string"}}})
@writes(blp, found=False)
def create_speaker(data):
    """Add a speaker to the directory."""
    try:
        speaker = records.create_speaker(_details(data))
    except records.RecordError as refused:
        refuse({refused.field: str(refused)})
    location = url_for(".get_speaker", speaker_id=speaker.id, _external=True)
    return _record(speaker), 201, {"Location": location}


@blp.route("/speakers/<int:speaker_id>", methods=["GET"])
@blp.response(200, SpeakerRecordSchema)
@reads(blp)
def get_speaker(speaker_id: int):
    """One speaker's record."""
    return _record(_speaker(speaker_id))


@blp.route("/speakers/<int:speaker_id>", methods=["PATCH"])
@blp.arguments(SpeakerPatchSchema())
@blp.response(200, SpeakerRecordSchema)
@writes(blp)
def update_speaker(data, speaker_id: int):
    """Change some of a speaker's record."""
    speaker = _speaker(speaker_id)
    current = _record(speaker) | {"institution_id": speaker.institution_id}
    try:
        records.update_speaker(speaker, _details(current | data))
    except records.RecordError as refused:
        refuse({refused.field: str(refused)})
    return _record(_speaker(speaker_id))


@blp.route("/speakers/<int:speaker_id>", methods=["DELETE"])
@blp.response(204)
@writes(blp, conflict="The speaker took part in an event: the record stays")
def delete_speaker(speaker_id: int):
    """Delete a speaker who never took part in an event."""
    try:
        found = records.delete_speaker(speaker_id)
    except records.RecordInUse as refused:
        conflict(str(refused))
    if not found:
        refuse_unknown()
