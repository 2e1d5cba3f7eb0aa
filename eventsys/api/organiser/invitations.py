"""An event's invitations to register: send one or many, list them by status, read one, revoke one.

The same rules as the workspace's invitations page (invitations/services.py): a batch
is all or nothing, each wrong invitee named by its place in the list; seats are held
under the event's lock; revoking releases a held seat to the waiting list at once.
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from marshmallow import fields, validate

from eventsys.api import pagination
from eventsys.api.auth import managed_event
from eventsys.api.organiser import organiser_blueprint
from eventsys.api.organiser.docs import reads, writes
from eventsys.api.organiser.fields import Moment
from eventsys.api.organiser.refusals import conflict, refuse
from eventsys.api.schemas import ONE_LINE, Strict
from eventsys.database import db
from eventsys.invitations import services
from eventsys.invitations.invitees import MAX_ROWS, Invitee
from eventsys.invitations.models import Invitation, InvitationStatus
from eventsys.registration.models import AFFILIATION_MAX, EMAIL_MAX, NAME_MAX, AttendeeCategory

blp = organiser_blueprint("organiser_invitations", __name__,
                          "An event's invitations to register, with seats held for the invitees")


class InvitationListQuerySchema(Strict):
    status = fields.Enum(InvitationStatus, by_value=True, metadata={"description": "Only invitations in it"})
    limit = pagination.limit_field()
    after = pagination.after_field()


class InvitationSchema(Strict):
    id = fields.Integer()
    batch_id = fields.Integer()
    name = fields.String()
    email = fields.String()
    affiliation = fields.String()
    category = fields.Enum(AttendeeCategory, by_value=True, allow_none=True)
    country = fields.String(allow_none=True)
    locale = fields.String(metadata={"description": "The language of the invitee's emails"})
    status = fields.Enum(InvitationStatus, by_value=True)
    holds_seat = fields.Boolean(metadata={"description": "A seat is set aside for the invitee now"})
    expires_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()
    reminded_at = fields.AwareDateTime(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)
    registration_id = fields.Integer(allow_none=True, metadata={"description": "The registration it made"})


InvitationPageSchema = pagination.page_schema(InvitationSchema, "InvitationPageSchema")


class InviteeSchema(Strict):
    """Field types here; the rules on the values are the CSV import's (invitations/invitees.py)."""

    name = fields.String(required=True, metadata={"minLength": 1, "maxLength": NAME_MAX, "pattern": ONE_LINE})
    email = fields.String(required=True, metadata={"format": "email", "maxLength": EMAIL_MAX})
    institution = fields.String(load_default="", metadata={"maxLength": AFFILIATION_MAX, "pattern": ONE_LINE})
    category = fields.String(load_default="", metadata={"enum": ["", *(c.value for c in AttendeeCategory)]})
    language = fields.String(load_default="", metadata={
        "description": "en, zh or ru; empty: the event's language", "maxLength": 16})
    country = fields.String(load_default="", metadata={
        "description": "ISO 3166-1 alpha-2 or an English name; prefills the form", "maxLength": 60})


class BatchSchema(Strict):
    invitees = fields.List(fields.Nested(InviteeSchema), required=True,
                           validate=validate.Length(min=1, max=MAX_ROWS))
    holds_seats = fields.Boolean(load_default=False, metadata={
        "description": "Set a seat aside for each invitee until they answer or the invitation expires"})
    skips_approval = fields.Boolean(load_default=False)
    skips_verification = fields.Boolean(load_default=True)
    deadline = Moment(load_default=None, allow_none=True, metadata={
        "description": "When unanswered invitations expire; null: when registration closes, else the start"})


class BatchResultSchema(Strict):
    batch_id = fields.Integer()
    invitations = fields.List(fields.Nested(InvitationSchema))


#: newest first, as the workspace's list
KEYSET = pagination.Keyset(columns=(Invitation.id,), shape=(int,), descending=True)


@blp.route("/events/<int:event_id>/invitations", methods=["GET"])
@blp.arguments(InvitationListQuerySchema(), location="query")
@blp.response(200, InvitationPageSchema, headers=pagination.LINK_HEADER)
@reads(blp)
def list_invitations(query, event_id: int):
    """The event's invitations, newest first; in one status when asked."""
    statement = sa.select(Invitation).where(Invitation.event_id == event_id)
    if query.get("status"):
        statement = statement.where(Invitation.status == query["status"])
    after = pagination.after_key(query["after"], KEYSET.shape)
    return pagination.answer(pagination.page_of_query(statement, KEYSET, after, query["limit"]))


@blp.route("/events/<int:event_id>/invitations", methods=["POST"])
@blp.arguments(BatchSchema())
@blp.response(201, BatchResultSchema)
@writes(blp, conflict="The event is a draft, over or cancelled, or has too few free seats to hold")
def create_invitations(data, event_id: int):
    """Invite one or many people, each emailed a personal link to the registration form; all or none.

    A wrong invitee is reported under `invitees.<index>`; nothing is sent then.
    """
    invitees = [Invitee(**person) for person in data["invitees"]]
    options = services.BatchOptions(holds_seats=data["holds_seats"], skips_approval=data["skips_approval"],
                                    skips_verification=data["skips_verification"], deadline=data["deadline"])
    try:
        batch = services.invite(managed_event().id, invitees, options)
    except services.InviteesRefused as refused:
        refuse({f"invitees.{index}": line.errors for index, line in enumerate(refused.report) if not line.ok})
    except services.ChangeRefused as refused:
        if "holds_seats" in refused.errors:
            conflict(refused.errors["holds_seats"], "holds_seats")
        refuse(refused.errors)
    made = db.session.scalars(sa.select(Invitation).where(Invitation.batch_id == batch.id)
                              .order_by(Invitation.id)).all()
    return {"batch_id": batch.id, "invitations": made}, 201


@blp.route("/events/<int:event_id>/invitations/<int:invitation_id>", methods=["GET"])
@blp.response(200, InvitationSchema)
@reads(blp)
def get_invitation(event_id: int, invitation_id: int):
    """One invitation and what became of it."""
    return db.session.get(Invitation, invitation_id)


@blp.route("/events/<int:event_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@blp.response(200, InvitationSchema)
@writes(blp, conflict="The invitation is no longer waiting for an answer")
def revoke_invitation(event_id: int, invitation_id: int):
    """Withdraw a pending invitation; its held seat goes to the first person waiting."""
    if services.revoke(event_id, [invitation_id]) == 0:
        conflict(_("Only an invitation waiting for an answer can be revoked."))
    db.session.expire_all()
    return db.session.get(Invitation, invitation_id)
