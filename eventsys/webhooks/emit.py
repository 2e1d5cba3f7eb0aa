"""Writing a webhook message in the transaction of the change it tells of, and handing it on after commit.

The rule: a message exists exactly when its change does. `emit` adds the row to the
caller's session, so the caller's commit writes both or neither; the public
registration's single statement writes its own message the same way (seats.py,
with `endpoints_for` as its condition). After the commit, the ids go to delivery
(dispatch.py), as the outbox hands on its emails; a rollback forgets them.

Most installations have no endpoint, and registering must stay cheap: a message
is written only when an enabled endpoint scoped to the event or to all events
subscribes to its type, one indexed query (the seat statement asks only for such an
endpoint, whatever its types). Who of them really receives it (whether its owner
still manages the event) is decided when its deliveries are made (fanout.py).
"""

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eventsys.database import db, utcnow
from eventsys.webhooks import message_types
from eventsys.webhooks.models import WebhookEndpoint, WebhookMessage

log = logging.getLogger(__name__)

#: the session.info key under which new messages wait for the commit
_PENDING = "webhook_pending_messages"


def endpoints_for(event_id) -> tuple[type[WebhookEndpoint], sa.ColumnElement[bool]]:
    """Endpoints ("w") enabled and for this event or for all: the alias and the condition (seats.py joins)."""
    endpoint = sa.orm.aliased(WebhookEndpoint, name="w")
    for_it = sa.or_(endpoint.event_id == event_id, endpoint.event_id.is_(None))
    return endpoint, sa.and_(endpoint.enabled, for_it)


def _is_wanted(session: Session, event_id: int | None, type: str) -> bool:
    """Whether an enabled endpoint of the event or of all events subscribes to the type."""
    if event_id is None:
        return False
    # No autoflush: the caller's pending change is flushed by its own commit, where it explains a refusal.
    with session.no_autoflush:
        subscriptions = session.scalars(
            sa.select(WebhookEndpoint.event_types)
            .where(WebhookEndpoint.enabled,
                   sa.or_(WebhookEndpoint.event_id == event_id, WebhookEndpoint.event_id.is_(None))))
        return any(type in types for types in subscriptions)


def _add(session: Session, type: str, event_id: int | None, items: list[dict[str, Any]],
         endpoint_id: int | None = None) -> None:
    if type not in message_types.KNOWN:
        raise ValueError(f"no webhook message type is named {type!r}: add it to message_types")
    now = utcnow()
    messages = [WebhookMessage(type=type, event_id=event_id, endpoint_id=endpoint_id, data=data,
                               created_at=now) for data in items]
    session.add_all(messages)
    session.info.setdefault(_PENDING, []).extend(messages)


def emit(type: str, event_id: int | None, data: dict[str, Any], *, session: Session | None = None) -> None:
    """Add one message to the caller's transaction, if an endpoint may want it."""
    session = session or db.session
    if _is_wanted(session, event_id, type):
        _add(session, type, event_id, [data])


def emit_test(endpoint_id: int, event_id: int | None, data: dict[str, Any]) -> None:
    """A test message, to this endpoint alone whatever it subscribes to (about its event, if it has one)."""
    _add(db.session, message_types.TEST, event_id, [data], endpoint_id)


def hand_over_committed(message_ids: list[int | None]) -> None:
    """Deliver messages written and committed outside the session (the public registration's statement)."""
    committed = [message_id for message_id in message_ids if message_id is not None]
    if committed:
        from eventsys.webhooks import dispatch

        dispatch.hand_over(committed)


def emit_event(type: str, event) -> None:
    """A message about the event itself (event.updated, event.cancelled)."""
    emit(type, event.id, {})


def emit_registrations(type: str, event, registrations) -> None:
    """One message per registration (registration.cancelled, registration.promoted): its id and status now."""
    if registrations and _is_wanted(db.session, event.id, type):
        _add(db.session, type, event.id, [
            {"registration": {"id": registration.id, "status": str(registration.status)}}
            for registration in registrations])


def emit_engagement(type: str, engagement) -> None:
    """A message about a speaker's engagement (speaker.invitation_answered): ids, the invitation's state."""
    emit(type, engagement.event_id, {"engagement": {
        "id": engagement.id, "speaker_id": engagement.speaker_id,
        "invitation_status": str(engagement.invitation_status)}})


def emit_invitation_answered(invitation) -> None:
    """invitation.answered: an invitee registered or declined (for eventsys/invitations to call)."""
    emit(message_types.INVITATION_ANSWERED, invitation.event_id, {"invitation": {
        "id": invitation.id, "status": str(invitation.status),
        "registration_id": invitation.registration_id}})


def emit_failed_emails(session: Session, email_ids: list[int]) -> None:
    """email.failed for each of these emails that is about an event (the outbox gave up on them).

    Called by the mail worker in the transaction that records the failure (mail/delivery.on_failure).
    """
    from eventsys.mail.models import OutboundEmail

    rows = session.execute(
        sa.select(OutboundEmail.id, OutboundEmail.kind, OutboundEmail.registration_id, OutboundEmail.event_id)
        .where(OutboundEmail.id.in_(email_ids), OutboundEmail.event_id.is_not(None))
        .order_by(OutboundEmail.id)
    ).all()
    by_event: dict[int, list] = {}
    for row in rows:
        by_event.setdefault(row.event_id, []).append(row)
    for event_id, emails in by_event.items():
        if _is_wanted(session, event_id, message_types.EMAIL_FAILED):
            _add(session, message_types.EMAIL_FAILED, event_id, [
                {"email": {"id": row.id, "kind": row.kind, "registration_id": row.registration_id}}
                for row in emails])


def _dispatch_after_commit(session) -> None:
    messages = session.info.pop(_PENDING, None)
    if messages:
        # Read from the identity key, which a commit leaves in place: the session may not query now.
        identities = (sa.inspect(message).identity for message in messages)
        hand_over_committed([identity[0] for identity in identities if identity])


def _forget_after_rollback(session, *_args) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Hand messages to delivery when any session that wrote them commits (forget them on rollback),
    and have the outbox tell of the emails it gives up on. Called by create_app; again changes nothing.

    On the Session class, not only the app's: the mail worker's own session writes messages too.
    """
    from eventsys.mail import delivery as mail_delivery

    if not sa.event.contains(Session, "after_commit", _dispatch_after_commit):
        sa.event.listen(Session, "after_commit", _dispatch_after_commit)
        sa.event.listen(Session, "after_soft_rollback", _forget_after_rollback)
    mail_delivery.on_failure(emit_failed_emails)
