"""The office's institutions: listed with the web's filters, one record, added, changed, deleted.

Office-wide, as the institution pages. The rules are the records' (speakers/records.py);
an institution where speakers work cannot be deleted (409 says so).
"""

from flask import url_for
from flask_babel import gettext as _
from flask_smorest import abort
from marshmallow import fields

from eventsys.api import pagination
from eventsys.api.organiser import organiser_blueprint
from eventsys.api.organiser.docs import reads, writes
from eventsys.api.organiser.fields import Country, Line, all_optional
from eventsys.api.organiser.refusals import conflict, refuse
from eventsys.api.schemas import Strict
from eventsys.database import db
from eventsys.speakers import directory, records
from eventsys.speakers.models import Institution

blp = organiser_blueprint("organiser_institutions", __name__, "The office's institutions")



class InstitutionChangeSchema(Strict):
    name = Line(300, required=True)
    country = Country(required=True)
    city = Line(120, load_default="")
    website = Line(300, load_default="", metadata={"description": "Starting with https:// or http://"})
    partner = fields.Boolean(load_default=False, metadata={
        "description": "A cooperation agreement with the school"})
    partner_since = fields.Date(load_default=None, allow_none=True, metadata={"description": "Partners only"})


InstitutionPatchSchema = all_optional(InstitutionChangeSchema, "InstitutionPatchSchema")


class InstitutionRecordSchema(Strict):
    id = fields.Integer()
    name = fields.String()
    country = fields.String()
    city = fields.String()
    website = fields.String()
    partner = fields.Boolean()
    partner_since = fields.Date(allow_none=True)
    speakers = fields.Integer(metadata={"description": "How many speakers work there"})


InstitutionPageSchema = pagination.page_schema(InstitutionRecordSchema, "InstitutionPageSchema")


class InstitutionListQuerySchema(Strict):
    partners_only = fields.Boolean(load_default=False)
    country = Country()
    limit = pagination.limit_field()
    after = pagination.after_field()


KEYSET = pagination.Keyset(columns=(Institution.name, Institution.id), shape=(str, int))
_DETAILS = ("name", "country", "city", "website", "partner", "partner_since")


def _shown(row) -> dict:
    institution = row.Institution
    return {name: getattr(institution, name) for name in ("id", *_DETAILS)} | {"speakers": row.speakers}


def _row(institution_id: int):
    """The institution with its speaker count; 404 when there is none."""
    statement = directory.institutions_matching(directory.InstitutionFilters())
    row = db.session.execute(statement.where(Institution.id == institution_id)).first()
    if row is None:
        abort(404, errors={"institution_id": [_("There is no institution with this id.")]})
    return row


def _details(values: dict) -> records.InstitutionDetails:
    return records.InstitutionDetails(**{name: values[name] for name in _DETAILS})


@blp.route("/institutions", methods=["GET"])
@blp.arguments(InstitutionListQuerySchema(), location="query")
@blp.response(200, InstitutionPageSchema, headers=pagination.LINK_HEADER)
@reads(blp, found=False)
def list_institutions(query):
    """Institutions by name, partners only or of one country when asked, with their speaker counts."""
    filters = directory.InstitutionFilters(partners_only=query["partners_only"],
                                           country=query.get("country", ""))
    after = pagination.after_key(query["after"], KEYSET.shape)
    page = pagination.page_of_query(directory.institutions_matching(filters), KEYSET, after, query["limit"],
                                    scalars=False)
    return pagination.answer(page, _shown)


@blp.route("/institutions", methods=["POST"])
@blp.arguments(InstitutionChangeSchema())
@blp.response(201, InstitutionRecordSchema,
              headers={"Location": {"description": "The new record", "schema": {"type": "string"}}})
@writes(blp, found=False)
def create_institution(data):
    """Add an institution."""
    try:
        institution = records.create_institution(_details(data))
    except records.RecordError as refused:
        refuse({refused.field: str(refused)})
    location = url_for(".get_institution", institution_id=institution.id, _external=True)
    return _shown(_row(institution.id)), 201, {"Location": location}


@blp.route("/institutions/<int:institution_id>", methods=["GET"])
@blp.response(200, InstitutionRecordSchema)
@reads(blp)
def get_institution(institution_id: int):
    """One institution, with how many speakers work there."""
    return _shown(_row(institution_id))


@blp.route("/institutions/<int:institution_id>", methods=["PATCH"])
@blp.arguments(InstitutionPatchSchema())
@blp.response(200, InstitutionRecordSchema)
@writes(blp)
def update_institution(data, institution_id: int):
    """Change some of an institution's record."""
    institution = _row(institution_id).Institution
    current = {name: getattr(institution, name) for name in _DETAILS}
    try:
        records.update_institution(institution, _details(current | data))
    except records.RecordError as refused:
        refuse({refused.field: str(refused)})
    return _shown(_row(institution_id))


@blp.route("/institutions/<int:institution_id>", methods=["DELETE"])
@blp.response(204)
@writes(blp, conflict="Speakers work at the institution: it stays")
def delete_institution(institution_id: int):
    """Delete an institution where no speaker works."""
    try:
        found = records.delete_institution(institution_id)
    except records.RecordInUse as refused:
        conflict(str(refused))
    if not found:
        _row(institution_id)  # answers 404
