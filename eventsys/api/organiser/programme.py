"""An event's programme: its sessions and talks, listed, added, changed and deleted.

The rules are the programme page's (events/management.py): an item lies within the
event's time, and one a speaker was invited to (and has not declined) is not deleted.
"""

from dataclasses import fields as dataclass_fields
from datetime import datetime

from flask import url_for
from marshmallow import fields

from eventsys.api import pagination
from eventsys.api.auth import managed_event
from eventsys.api.organiser import organiser_blueprint
from eventsys.api.organiser.docs import reads, writes
from eventsys.api.organiser.fields import Line, Moment, Text, all_optional
from eventsys.api.organiser.refusals import refuse
from eventsys.api.schemas import Strict
from eventsys.events import management
from eventsys.events.lifecycle import ChangeRefused
from eventsys.events.management import ItemDetails
from eventsys.events.models import ProgrammeItem
from eventsys.speakers.models import InvitationStatus, SpeakerRole

blp = organiser_blueprint("organiser_programme", __name__, "An event's programme items")


class ProgrammeItemChangeSchema(Strict):
    title = Line(300, required=True)
    starts_at = Moment(required=True)
    ends_at = Moment(required=True)
    location = Line(200, load_default="", metadata={"description": "Room or hall"})
    description = Text(5000, load_default="")


ProgrammeItemPatchSchema = all_optional(ProgrammeItemChangeSchema, "ProgrammeItemPatchSchema")


class ProgrammeItemSpeakerSchema(Strict):
    engagement_id = fields.Integer(attribute="id")
    speaker_id = fields.Integer()
    name = fields.String(attribute="speaker.display_name")
    role = fields.Enum(SpeakerRole, by_value=True)
    invitation_status = fields.Enum(InvitationStatus, by_value=True, allow_none=True, metadata={
        "description": "null: added by the organisers, without an invitation"})


class ProgrammeItemRecordSchema(Strict):
    id = fields.Integer()
    title = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    location = fields.String()
    description = fields.String()
    speakers = fields.List(fields.Nested(ProgrammeItemSpeakerSchema), attribute="engagements")


ProgrammeItemPageSchema = pagination.page_schema(ProgrammeItemRecordSchema, "ProgrammeItemPageSchema")


class ProgrammeListQuerySchema(Strict):
    limit = pagination.limit_field()
    after = pagination.after_field()


def _key(item: ProgrammeItem) -> tuple:
    return (item.starts_at, item.id)


def _item(event_id: int, item_id: int) -> ProgrammeItem:
    # The checks before the view made sure the item is this event's (manage.access.EVENT_PARTS).
    return management.item_of(event_id, item_id)


def _details(values: dict) -> ItemDetails:
    return ItemDetails(**{field.name: values[field.name] for field in dataclass_fields(ItemDetails)})


@blp.route("/events/<int:event_id>/programme", methods=["GET"])
@blp.arguments(ProgrammeListQuerySchema(), location="query")
@blp.response(200, ProgrammeItemPageSchema, headers=pagination.LINK_HEADER)
@reads(blp)
def list_items(query, event_id: int):
    """The programme in time order, each item with its speakers."""
    after = pagination.after_key(query["after"], (datetime, int))
    return pagination.answer(pagination.page_of_list(management.programme_of(event_id), _key, after,
                                                     query["limit"]))


@blp.route("/events/<int:event_id>/programme", methods=["POST"])
@blp.arguments(ProgrammeItemChangeSchema())
@blp.response(201, ProgrammeItemRecordSchema,
              headers={"Location": {"description": "The new item", "schema": {"type": "string"}}})
@writes(blp, conflict="The event is cancelled")
def create_item(data, event_id: int):
    """Add a session or talk within the event's time."""
    try:
        item = management.save_programme_item(managed_event(), _details(data))
    except ChangeRefused as refused:
        refuse(refused.errors)
    location = url_for(".get_item", event_id=event_id, item_id=item.id, _external=True)
    return item, 201, {"Location": location}


@blp.route("/events/<int:event_id>/programme/<int:item_id>", methods=["GET"])
@blp.response(200, ProgrammeItemRecordSchema)
@reads(blp)
def get_item(event_id: int, item_id: int):
    """One programme item with its speakers."""
    return _item(event_id, item_id)


@blp.route("/events/<int:event_id>/programme/<int:item_id>", methods=["PATCH"])
@blp.arguments(ProgrammeItemPatchSchema())
@blp.response(200, ProgrammeItemRecordSchema)
@writes(blp, conflict="The event is cancelled")
def update_item(data, event_id: int, item_id: int):
    """Change some of the item's details."""
    item = _item(event_id, item_id)
    current = {field.name: getattr(item, field.name) for field in dataclass_fields(ItemDetails)}
    try:
        management.save_programme_item(managed_event(), _details(current | data), item)
    except ChangeRefused as refused:
        refuse(refused.errors)
    return item


@blp.route("/events/<int:event_id>/programme/<int:item_id>", methods=["DELETE"])
@blp.response(204)
@writes(blp, conflict="A speaker accepted or has an open invitation for this item, or the event is cancelled")
def delete_item(event_id: int, item_id: int):
    """Remove the item and the speakers added to it."""
    try:
        management.delete_programme_item(managed_event(), _item(event_id, item_id))
    except ChangeRefused as refused:
        refuse(refused.errors)
