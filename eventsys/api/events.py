"""Events and registration as JSON, for the school's website and apps."""

from flask import jsonify, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_smorest import Blueprint, abort

from eventsys.api.parser import ApiParser
from eventsys.api.schemas import (
    EventDetailSchema,
    EventQuerySchema,
    EventSummarySchema,
    RegistrationRequestSchema,
    RegistrationResultSchema,
    UnverifiedRegistrationSchema,
)
from eventsys.errors import ErrorsSchema
from eventsys.events import services as events
from eventsys.locales import request_locale, supported_locale
from eventsys.registration import limits, public
from eventsys.registration import services as registration
from eventsys.registration.models import RegistrationAttempt

blp = Blueprint(
    "api_events", __name__, url_prefix="/api/v1", description="Upcoming events and registration"
)
blp.ARGUMENTS_PARSER = ApiParser()
# Arguments take schema instances: given a class, webargs makes a new schema on every request.

#: what a 429 carries besides its body
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                               "schema": {"type": "integer"}}}


@blp.route("/events", methods=["GET"])
@blp.arguments(EventQuerySchema(), location="query")
@blp.response(200, EventSummarySchema(many=True))
def list_events(query):
    """Upcoming published events, soonest first."""
    return events.upcoming_events(query.get("kind"))


@blp.route("/events/<slug:slug>", methods=["GET"])
@blp.response(200, EventDetailSchema)
@blp.alt_response(404, schema=ErrorsSchema, description="No published event has this slug")
def get_event(slug: str):
    """One event with its programme, speakers and registration questions."""
    event = events.public_event(slug) or abort(404, errors={"slug": [_("No such event.")]})
    try:
        registration.ensure_registration_open(event)
        is_open = True
    except registration.RegistrationClosed:
        is_open = False
    detail = {column: getattr(event, column) for column in EventDetailSchema().fields
              if column not in {"programme", "speakers", "questions", "registration_open"}}
    detail.update(
        programme=event.programme,
        speakers=[{"speaker": s, "roles": roles} for s, roles in events.event_speakers(event)],
        questions=event.questions,
        registration_open=is_open,
    )
    return detail


@blp.route("/events/<slug:slug>/registrations", methods=["POST"])
@blp.arguments(RegistrationRequestSchema())
@blp.response(201, RegistrationResultSchema)
@blp.alt_response(202, schema=UnverifiedRegistrationSchema,
                  description="The event verifies addresses: a link went to the email, and the seat or "
                              "waiting-list place is decided when it is opened; nothing is held until then")
@blp.alt_response(403, schema=ErrorsSchema, description="Registration is not open (yet) for this event")
@blp.alt_response(404, schema=ErrorsSchema, description="No such event")
@blp.alt_response(409, schema=ErrorsSchema, description="This email is already registered for the event")
@blp.alt_response(410, schema=ErrorsSchema,
                  description="The event was cancelled, has ended, or registration has closed")
@blp.alt_response(429, schema=ErrorsSchema, headers=RETRY_AFTER,
                  description="Too many registrations from this address, for this event, or for this "
                              "mailbox; the Retry-After header says in how many seconds to try again")
@limits.limit_public_registration
def create_registration(data, slug: str):
    """Register for an event: a confirmed seat while any is left, else a place on the waiting list.

    On an event that verifies addresses the answer is 202 and the registration is made
    when the person opens the link emailed to them.
    """
    event = public.event_to_register_for(slug) or abort(404, errors={"slug": [_("No such event.")]})
    applicant = registration.Applicant(
        name=data["name"],
        name_latin=data["name_latin"],
        email=data["email"],
        affiliation=data["affiliation"],
        country=data["country"],
        category=data["category"],
        answers=data["answers"],
        locale=supported_locale(data["locale"]) or request_locale(),
        timezone=data["timezone"],
    )
    try:
        created = public.register(event, applicant)
    except limits.TooManyRegistrations as refused:
        abort(429, errors={refused.field: [str(refused)]}, headers={"Retry-After": str(refused.retry_after)})
    except registration.InvalidRegistration as invalid:
        abort(422, errors=invalid.errors)
    except registration.AlreadyRegistered as already:
        abort(409, errors={"email": [str(already)]})
    except registration.RegistrationClosed as closed:
        abort(410 if closed.gone else 403, errors={"event": [str(closed)]})
    if isinstance(created, RegistrationAttempt):
        minutes = round((created.expires_at - created.created_at).total_seconds() / 60)
        unverified = {"status": "unverified", "expires_at": created.expires_at,
                      "message": ngettext("We have sent a link to %(email)s. Open it within %(num)s minutes "
                                          "to complete the registration.",
                                          "We have sent a link to %(email)s. Open it within %(num)s minutes "
                                          "to complete the registration.",
                                          minutes, email=created.values["email"])}
        return jsonify(UnverifiedRegistrationSchema().dump(unverified)), 202
    return {
        "status": created.status,
        "position": created.position_when_registered,
        "token": created.token,
        "manage_url": url_for("registration.manage", token=created.token, _external=True),
    }
