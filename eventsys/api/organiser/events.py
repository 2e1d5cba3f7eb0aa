"""The organiser's events: list one's own, create, read, change, publish and cancel.

The same rules as the workspace's event pages (events/lifecycle.py and
events/management.py): times are instants with their offset here, where the form
takes clock times in the event's zone; everything else is the form's fields by name.
"""

from dataclasses import fields as dataclass_fields
from datetime import datetime

from flask import url_for
from marshmallow import fields, validate

from eventsys.accounts.services import managed_events
from eventsys.api import pagination
from eventsys.api.auth import api_user, managed_event
from eventsys.api.organiser import organiser_blueprint
from eventsys.api.organiser.docs import reads, writes
from eventsys.api.organiser.fields import Line, Moment, Text, all_optional, whole_number
from eventsys.api.organiser.refusals import refuse
from eventsys.api.schemas import Strict
from eventsys.events import lifecycle, management
from eventsys.events.lifecycle import (
    RETENTION_DAYS_MAX,
    RETENTION_DAYS_MIN,
    SLUG_MAX,
    ChangeRefused,
    EventDetails,
)
from eventsys.events.manage_forms import MAX_REMINDERS
from eventsys.events.models import Event, EventKind, EventMode, EventStatus

blp = organiser_blueprint("organiser_events", __name__,
                          "The organiser's events: create, change, publish, cancel")

#: the most seats an event can have (the form takes seven digits)
CAPACITY_MAX = 9_999_999
#: reminders go out between a minute and a year before the start
REMINDER_MINUTES_MAX = 365 * 1440


class EventChangeSchema(Strict):
    """An event as the organiser describes it; the rules on the values are lifecycle's, as for the form."""

    kind = fields.Enum(EventKind, by_value=True, required=True)
    mode = fields.Enum(EventMode, by_value=True, required=True)
    title = Line(300, required=True)
    slug = Line(SLUG_MAX, load_default="", metadata={
        "description": "The public page is /events/<slug>; made from the title when empty"})
    summary = Line(500, load_default="")
    description = Text(20000, load_default="")
    starts_at = Moment(required=True)
    ends_at = Moment(required=True)
    timezone = Line(64, required=True, metadata={"description": "IANA time zone the event happens in"})
    venue = Line(300, load_default="")
    meeting_url = Line(500, load_default=None, allow_none=True, metadata={
        "description": "Private: sent to confirmed attendees only"})
    capacity = whole_number(0, CAPACITY_MAX, load_default=None, allow_none=True,
                            metadata={"description": "Seats; null: no limit"})
    registration_opens_at = Moment(load_default=None, allow_none=True)
    registration_closes_at = Moment(load_default=None, allow_none=True)
    language = Line(16, load_default="en", metadata={"description": "A language tag: en, zh, ru…"})
    requires_approval = fields.Boolean(load_default=False)
    reminder_offsets = fields.List(
        whole_number(1, REMINDER_MINUTES_MAX), load_default=None, allow_none=True,
        validate=validate.Length(max=MAX_REMINDERS),
        metadata={"description": "Minutes before the start at which attendees are reminded; null: the "
                                 "defaults (7 days, 1 day, 1 hour online); []: none"})
    verify_emails = fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "Public registrants confirm their address first; null on creating: on when seats "
                       "are limited"})
    anonymise_after_days = whole_number(RETENTION_DAYS_MIN, RETENTION_DAYS_MAX, load_default=None,
                                        allow_none=True)


EventPatchSchema = all_optional(EventChangeSchema, "EventPatchSchema")


class EventSchema(Strict):
    id = fields.Integer()
    slug = fields.String()
    status = fields.Enum(EventStatus, by_value=True)
    kind = fields.Enum(EventKind, by_value=True)
    mode = fields.Enum(EventMode, by_value=True)
    title = fields.String()
    summary = fields.String()
    description = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    timezone = fields.String()
    venue = fields.String()
    meeting_url = fields.String(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    seats_left = fields.Integer(allow_none=True)
    confirmed_count = fields.Integer()
    waitlisted_count = fields.Integer()
    registration_opens_at = fields.AwareDateTime(allow_none=True)
    registration_closes_at = fields.AwareDateTime(allow_none=True)
    language = fields.String()
    requires_approval = fields.Boolean()
    verify_emails = fields.Boolean()
    reminder_offsets = fields.List(fields.Integer(), allow_none=True)
    anonymise_after_days = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    publish_problems = fields.List(fields.String(), metadata={
        "description": "What stands between a draft and its public page; empty when it can be published"})


EventPageSchema = pagination.page_schema(EventSchema, "EventPageSchema")


class EventListQuerySchema(Strict):
    status = fields.Enum(EventStatus, by_value=True, metadata={"description": "Only events in this status"})
    limit = pagination.limit_field()
    after = pagination.after_field()


class EventCancelSchema(Strict):
    reason = Text(2000, load_default="", metadata={"description": "Sent to everyone registered"})


class EventCancelledSchema(Strict):
    event = fields.Nested(EventSchema)
    notified = fields.Integer(metadata={"description": "Registrants being told"})


#: the list's order, as the workspace's first page: latest start first
KEYSET = pagination.Keyset(columns=(Event.starts_at, Event.id), shape=(datetime, int),
                           descending=True)


def shown(event: Event) -> dict:
    """The event as EventSchema shows it: its columns, and what publishing a draft still needs."""
    values = {name: getattr(event, name) for name in EventSchema._declared_fields
              if name != "publish_problems"}
    draft = event.status is EventStatus.draft
    values["publish_problems"] = lifecycle.publish_problems(event) if draft else []
    return values


def _details(values: dict) -> EventDetails:
    return EventDetails(**{field.name: values[field.name] for field in dataclass_fields(EventDetails)})


@blp.route("/events", methods=["GET"])
@blp.arguments(EventListQuerySchema(), location="query")
@blp.response(200, EventPageSchema, headers=pagination.LINK_HEADER)
@reads(blp, found=False)
def list_events(query):
    """The events the token's organiser manages (an admin: all), latest start first."""
    statement = managed_events(api_user())
    if query.get("status"):
        statement = statement.where(Event.status == query["status"])
    after = pagination.after_key(query["after"], KEYSET.shape)
    page = pagination.page_of_query(statement, KEYSET, after, query["limit"])
    return pagination.answer(page, shown)


@blp.route("/events", methods=["POST"])
@blp.arguments(EventChangeSchema())
@blp.response(201, EventSchema, headers={"Location": {"description": "The new event",
                                                      "schema": {"type": "string"}}})
@writes(blp, found=False)
def create_event(data):
    """Create a draft event, managed by the token's organiser (as the workspace's New event)."""
    try:
        event = lifecycle.create_event(_details(data), api_user())
    except ChangeRefused as refused:
        refuse(refused.errors)
    return shown(event), 201, {"Location": url_for(".get_event", event_id=event.id, _external=True)}


@blp.route("/events/<int:event_id>", methods=["GET"])
@blp.response(200, EventSchema)
@reads(blp)
def get_event(event_id: int):
    """One event, with its seat counts and what publishing it still needs."""
    return shown(managed_event())


@blp.route("/events/<int:event_id>", methods=["PATCH"])
@blp.arguments(EventPatchSchema())
@blp.response(200, EventSchema)
@writes(blp, conflict="The event is cancelled")
def update_event(data, event_id: int):
    """Change some of the event's details; more seats go to the waiting list at once."""
    event = managed_event()
    current = {field.name: getattr(event, field.name) for field in dataclass_fields(EventDetails)}
    try:
        management.update_event(event_id, _details(current | data))
    except ChangeRefused as refused:
        refuse(refused.errors)
    return shown(managed_event())


@blp.route("/events/<int:event_id>/publish", methods=["POST"])
@blp.response(200, EventSchema)
@writes(blp, conflict="The event cannot be published yet (the messages say why), or is not a draft")
def publish_event(event_id: int):
    """Put the draft on the public pages."""
    try:
        lifecycle.publish_event(event_id)
    except ChangeRefused as refused:
        refuse(refused.errors)
    return shown(managed_event())


@blp.route("/events/<int:event_id>/cancel", methods=["POST"])
@blp.arguments(EventCancelSchema())
@blp.response(200, EventCancelledSchema)
@writes(blp, conflict="The event is cancelled already")
def cancel_event(data, event_id: int):
    """Cancel the event and write to everyone registered, waiting or pending, with the reason."""
    try:
        notified = lifecycle.cancel_event(event_id, data["reason"])
    except ChangeRefused as refused:
        refuse(refused.errors)
    return {"event": shown(managed_event()), "notified": notified}

