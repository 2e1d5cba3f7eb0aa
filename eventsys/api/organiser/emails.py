"""An event's emails, as its outbox page shows them: listed by state, newest first, and sent again.

The rule on sending again is the outbox page's (mail/outbox.py resend_refusal): only a
failed or cancelled email, never one erased with the event's personal data.
"""

from marshmallow import fields

from eventsys.api import pagination
from eventsys.api.organiser import organiser_blueprint
from eventsys.api.organiser.docs import reads, writes
from eventsys.api.organiser.refusals import conflict
from eventsys.api.schemas import Strict
from eventsys.database import db
from eventsys.mail import outbox
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.manage.outbox_pages import emails_query

blp = organiser_blueprint("organiser_emails", __name__,
                          "An event's emails: what went, what failed, sending again")


class EmailListQuerySchema(Strict):
    state = fields.Enum(EmailState, by_value=True, metadata={"description": "Only emails in this state"})
    limit = pagination.limit_field()
    after = pagination.after_field()


class EmailSchema(Strict):
    id = fields.Integer()
    recipient = fields.String()
    kind = fields.String(metadata={"description": "What it is: registration_confirmed, reminder…"})
    state = fields.Enum(EmailState, by_value=True)
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)
    registration_id = fields.Integer(allow_none=True)


EmailPageSchema = pagination.page_schema(EmailSchema, "EmailPageSchema")

#: newest first, as the outbox page
KEYSET = pagination.Keyset(columns=(OutboundEmail.id,), shape=(int,), descending=True)


def _row(event_id: int, email_id: int):
    return db.session.execute(emails_query(None, event_id).where(OutboundEmail.id == email_id)).one()


@blp.route("/events/<int:event_id>/emails", methods=["GET"])
@blp.arguments(EmailListQuerySchema(), location="query")
@blp.response(200, EmailPageSchema, headers=pagination.LINK_HEADER)
@reads(blp)
def list_emails(query, event_id: int):
    """The event's emails, newest first; in one state when asked."""
    after = pagination.after_key(query["after"], KEYSET.shape)
    page = pagination.page_of_query(emails_query(query.get("state"), event_id), KEYSET, after, query["limit"],
                                    scalars=False)
    return pagination.answer(page)


@blp.route("/events/<int:event_id>/emails/<int:email_id>/resend", methods=["POST"])
@blp.response(200, EmailSchema)
@writes(blp, conflict="Only failed or cancelled emails are sent again, and never an erased one")
def resend_email(event_id: int, email_id: int):
    """Queue a failed or cancelled email again, with the same content."""
    refusal = outbox.resend_refusal(db.session.get(OutboundEmail, email_id))
    if refusal:
        conflict(refusal)
    outbox.resend(email_id)
    return _row(event_id, email_id)
