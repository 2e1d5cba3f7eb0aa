"""An event's registrations: the list with the workspace's filters, one registration, and what organisers do.

The list is the workspace list's own query and keyset pages (registration/listing.py),
its cursor the page links' cursor. A filter the list page would ignore with a notice
answers 422 here, as the exports answer 400: a script should not silently get more
rows than it asked for. Adding, cancelling, approving, promoting and checking in go
through the registration rules (registration/services.py, handling.py, checkin.py),
under the event's lock like every change of a seat.
"""

from flask import url_for
from flask_babel import gettext as _
from marshmallow import fields, validate

from eventsys.api import pagination
from eventsys.api.auth import managed_event
from eventsys.api.organiser import organiser_blueprint
from eventsys.api.organiser.docs import reads, writes
from eventsys.api.organiser.fields import Country, Line, Moment
from eventsys.api.organiser.refusals import conflict, refuse
from eventsys.api.schemas import ANSWER_SHAPES, LATIN_NAME_DOC, ONE_LINE, Strict
from eventsys.locales import supported_locale
from eventsys.registration import checkin, handling, listing, services
from eventsys.registration.errors import RegistrationError
from eventsys.registration.manage_forms import SEARCH_MAX
from eventsys.registration.models import (
    AFFILIATION_MAX,
    EMAIL_MAX,
    NAME_MAX,
    AttendeeCategory,
    Registration,
    RegistrationStatus,
)
from eventsys.timezones import day_range

blp = organiser_blueprint("organiser_registrations", __name__, "An event's registrations")

#: the country of someone added, as given: the registration rules check the code, as for the public
COUNTRY_DOC = {"description": "ISO 3166-1 alpha-2, e.g. RU", "minLength": 2, "maxLength": 2}


class RegistrationListQuerySchema(Strict):
    q = Line(SEARCH_MAX, metadata={"description": "Part of the name, email or affiliation, any case"})
    status = fields.Enum(RegistrationStatus, by_value=True)
    category = fields.Enum(AttendeeCategory, by_value=True)
    country = Country()
    checked_in = fields.Boolean(load_default=None, metadata={"description": "true: arrived; false: not yet"})
    registered_from = Moment(metadata={"description": "Registered at or after this time"})
    registered_until = Moment(metadata={"description": "Registered before this time"})
    sort = fields.Enum(listing.Sort, by_value=True, load_default=listing.Sort.oldest)
    limit = pagination.limit_field()
    after = pagination.after_field()


class RegistrationSchema(Strict):
    id = fields.Integer()
    name = fields.String()
    name_latin = fields.String(metadata={"description": "The name in Latin letters; empty when not given"})
    email = fields.String()
    affiliation = fields.String()
    country = fields.String()
    category = fields.Enum(AttendeeCategory, by_value=True)
    status = fields.Enum(RegistrationStatus, by_value=True)
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), metadata={
        "description": "Answers by question id"})
    locale = fields.String(metadata={"description": "The registrant's language, of their emails"})
    timezone = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    approved_at = fields.AwareDateTime(allow_none=True)
    promoted_at = fields.AwareDateTime(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    checked_in_at = fields.AwareDateTime(allow_none=True)


class RegistrationDetailSchema(RegistrationSchema):
    waitlist_position = fields.Integer(allow_none=True, metadata={
        "description": "1 for the first person waiting; null when not on the waiting list"})


RegistrationPageSchema = pagination.page_schema(RegistrationSchema, "RegistrationPageSchema")


class RegistrationAddSchema(Strict):
    """Field types here; the rules on the values are the registration form's (registration/applicants.py)."""

    name = fields.String(required=True, metadata={"minLength": 1, "maxLength": NAME_MAX, "pattern": ONE_LINE})
    name_latin = fields.String(load_default="", metadata=LATIN_NAME_DOC)
    email = fields.String(required=True, metadata={"format": "email", "maxLength": EMAIL_MAX})
    affiliation = fields.String(load_default="", metadata={"maxLength": AFFILIATION_MAX, "pattern": ONE_LINE})
    country = fields.String(required=True, metadata=COUNTRY_DOC)
    category = fields.String(required=True, metadata={"enum": [c.value for c in AttendeeCategory]})
    answers = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "propertyNames": {"pattern": "^[0-9]+$"}, "additionalProperties": ANSWER_SHAPES,
        "description": "Answers by question id, as the public registration takes them"})
    locale = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16), metadata={
        "description": "The language of the person's emails: en, zh or ru (en when not given)"})
    timezone = fields.String(load_default=None, allow_none=True, metadata={
        "description": "Where the person is, an IANA time zone", "maxLength": 64})


class CheckInSchema(Strict):
    first_time = fields.Boolean(metadata={"description": "false: they were checked in before (checked_in_at "
                                                         "says when)"})
    registration = fields.Nested(RegistrationDetailSchema)


def detail(registration: Registration) -> dict:
    """The registration as RegistrationDetailSchema shows it, with its place on the waiting list."""
    values = {name: getattr(registration, name) for name in RegistrationSchema._declared_fields}
    return values | {"waitlist_position": services.waitlist_position(registration)}


def _registration(event_id: int, registration_id: int) -> Registration:
    # The checks before the view made sure it is this event's (manage.access.EVENT_PARTS).
    return checkin.registration_of_event(event_id, registration_id)


@blp.route("/events/<int:event_id>/registrations", methods=["GET"])
@blp.arguments(RegistrationListQuerySchema(), location="query")
@blp.response(200, RegistrationPageSchema, headers=pagination.LINK_HEADER)
@reads(blp)
def list_registrations(query, event_id: int):
    """The registrations the filters select, in the order asked for; the workspace list's pages."""
    event = managed_event()
    wanted = listing.ListQuery(
        q=query.get("q", ""), status=query.get("status"), category=query.get("category"),
        country=query.get("country"), checked_in=query["checked_in"],
        registered_from=query.get("registered_from"), registered_until=query.get("registered_until"),
        zone=event.timezone, sort=query["sort"],
    )
    after = pagination.cursor_or_422(query["after"], lambda text: listing.decode_cursor(wanted.sort, text))
    page = listing.page_of(event.id, wanted, listing.Position(after=after), size=query["limit"])
    return pagination.answer(pagination.Page(items=page.rows, next_cursor=page.next_cursor))


@blp.route("/events/<int:event_id>/registrations", methods=["POST"])
@blp.arguments(RegistrationAddSchema())
@blp.response(201, RegistrationDetailSchema,
              headers={"Location": {"description": "The new registration", "schema": {"type": "string"}}})
@writes(blp, conflict="The person is registered already (`email`), or the event does not take registrations "
                      "now (`event`)")
def create_registration(data, event_id: int):
    """Register someone as their organiser: a seat while any is left (or pending, in approval mode), else
    the waiting list. No email confirmation first and no per-mailbox limit, as for additions on the web.
    """
    applicant = services.Applicant(
        name=data["name"], name_latin=data["name_latin"], email=data["email"],
        affiliation=data["affiliation"], country=data["country"], category=data["category"],
        answers=data["answers"], locale=supported_locale(data["locale"]) or "en", timezone=data["timezone"],
    )
    try:
        registration = services.register(managed_event(), applicant)
    except services.InvalidRegistration as invalid:
        refuse(invalid.errors)
    except services.AlreadyRegistered as already:
        conflict(str(already), "email")
    except services.RegistrationClosed as closed:
        conflict(str(closed), "event")
    location = url_for(".get_registration", event_id=event_id, registration_id=registration.id,
                       _external=True)
    return detail(registration), 201, {"Location": location}


@blp.route("/events/<int:event_id>/registrations/<int:registration_id>", methods=["GET"])
@blp.response(200, RegistrationDetailSchema)
@reads(blp)
def get_registration(event_id: int, registration_id: int):
    """One registration with its answers and its place on the waiting list."""
    return detail(_registration(event_id, registration_id))


@blp.route("/events/<int:event_id>/registrations/<int:registration_id>/cancel", methods=["POST"])
@blp.response(200, RegistrationDetailSchema)
@writes(blp, conflict="The registration is cancelled already")
def cancel_registration(event_id: int, registration_id: int):
    """Cancel the registration; the person is told, and a freed seat goes to the first one waiting."""
    if _registration(event_id, registration_id).status is RegistrationStatus.cancelled:
        conflict(_("This registration is already cancelled."))
    try:
        services.cancel_registration(registration_id)
    except RegistrationError as refused:
        conflict(str(refused))
    return detail(_registration(event_id, registration_id))


@blp.route("/events/<int:event_id>/registrations/<int:registration_id>/approve", methods=["POST"])
@blp.response(200, RegistrationDetailSchema)
@writes(blp, conflict="The registration is not awaiting approval")
def approve_registration(event_id: int, registration_id: int):
    """Approve a pending registration: a seat if one is free, else the waiting list; the person is told."""
    try:
        handling.approve(event_id, registration_id)
    except RegistrationError as refused:
        conflict(str(refused))
    return detail(_registration(event_id, registration_id))


@blp.route("/events/<int:event_id>/registrations/<int:registration_id>/promote", methods=["POST"])
@blp.response(200, RegistrationDetailSchema)
@writes(blp, conflict="The person is not on the waiting list, or every seat is taken")
def promote_registration(event_id: int, registration_id: int):
    """Give this person on the waiting list a free seat, out of turn; they are told."""
    try:
        handling.promote_by_hand(event_id, registration_id)
    except RegistrationError as refused:
        conflict(str(refused))
    return detail(_registration(event_id, registration_id))


class CheckInQuerySchema(Strict):
    outside_event_days = fields.Boolean(load_default=False, metadata={
        "description": "true: check in although the event does not run today in its own zone (without it, "
                       "such a check-in answers 409 and changes nothing)"})


@blp.route("/events/<int:event_id>/registrations/<int:registration_id>/check-in", methods=["POST"])
@blp.arguments(CheckInQuerySchema(), location="query")
@blp.response(200, CheckInSchema)
@writes(blp, conflict="The registration is not confirmed: not admitted; or the event does not run today")
def check_in(query: dict, event_id: int, registration_id: int):
    """Mark a confirmed registrant as arrived, once; again, it answers when they came in."""
    try:
        outcome = checkin.check_in_by_id(event_id, registration_id,
                                         outside_days_confirmed=query["outside_event_days"])
    except handling.OutsideEventDays as asked:
        conflict(_("The event runs %(days)s (%(zone)s); today is %(today)s there. To check in anyway, "
                   "send outside_event_days=true.", days=day_range((asked.first_day, asked.last_day)),
                   zone=asked.registration.event.timezone, today=day_range((asked.today, asked.today))))
    except RegistrationError as refused:
        conflict(str(refused))
    return {"first_time": outcome.first_time, "registration": detail(outcome.registration)}


@blp.route("/events/<int:event_id>/registrations/<int:registration_id>/check-in", methods=["DELETE"])
@blp.response(200, RegistrationDetailSchema)
@writes(blp, conflict="The person was not checked in")
def undo_check_in(event_id: int, registration_id: int):
    """Take back a check-in made by mistake; the person can be checked in again."""
    try:
        registration = checkin.undo_by_id(event_id, registration_id)
    except RegistrationError as refused:
        conflict(str(refused))
    return detail(registration)
