"""Making a message's deliveries: one for each endpoint that wants it, decided once, after the commit.

An endpoint wants a message when it is enabled and subscribes to its type, is
scoped to its event or to all events, existed when the message was written, and
its owner (still active) still manages the event, or is an admin: an organiser
taken off an event stops hearing of it. A test message goes to its one endpoint.

Safe to run twice and beside another worker: the message is claimed by a
conditional UPDATE of fanned_out_at in the transaction that inserts its deliveries,
so they are made once, or (if that transaction is lost) not at all and again later.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eventsys.accounts.models import EventManager, User
from eventsys.database import db
from eventsys.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookMessage


def _candidates(session: Session, event_id: int) -> list[WebhookEndpoint]:
    """Enabled endpoints of the event or of all events whose owner may manage the event."""
    manages = sa.exists().where(EventManager.event_id == event_id, EventManager.user_id == User.id)
    return list(session.scalars(
        sa.select(WebhookEndpoint).join(User, User.id == WebhookEndpoint.owner_id)
        .where(WebhookEndpoint.enabled, User.active, sa.or_(User.is_admin, manages),
               sa.or_(WebhookEndpoint.event_id == event_id, WebhookEndpoint.event_id.is_(None)))
    ))


def _recipients(session: Session, message: WebhookMessage, by_event: dict) -> list[int]:
    if message.endpoint_id is not None:
        endpoint = session.get(WebhookEndpoint, message.endpoint_id)
        return [endpoint.id] if endpoint is not None and endpoint.enabled else []
    if message.event_id is None:
        return []
    if message.event_id not in by_event:
        by_event[message.event_id] = _candidates(session, message.event_id)
    return [endpoint.id for endpoint in by_event[message.event_id]
            if message.type in endpoint.event_types and endpoint.created_at <= message.created_at]


#: messages the sweep fans out in one transaction
BATCH_SIZE = 1000


def fan_out(message_ids: list[int] | None, now: datetime) -> list[int]:
    """Make the deliveries of these messages (None: of the oldest still without them); their ids.

    Deliveries are due at once (next_attempt_at = now).
    """
    with Session(db.engine, expire_on_commit=False) as session:
        waiting = WebhookMessage.fanned_out_at.is_(None)
        if message_ids is None:
            message_ids = list(session.scalars(
                sa.select(WebhookMessage.id).where(waiting).order_by(WebhookMessage.id).limit(BATCH_SIZE)))
        if not message_ids:
            return []
        claimed = list(session.scalars(
            sa.update(WebhookMessage).where(waiting, WebhookMessage.id.in_(message_ids))
            .values(fanned_out_at=now)
            .returning(WebhookMessage).execution_options(synchronize_session=False)
        ))
        by_event: dict = {}
        deliveries = [
            WebhookDelivery(message_id=message.id, endpoint_id=endpoint_id, state=DeliveryState.pending,
                            attempts=0, next_attempt_at=now, created_at=now)
            for message in sorted(claimed, key=lambda message: message.id)
            for endpoint_id in _recipients(session, message, by_event)
        ]
        session.add_all(deliveries)
        session.commit()
        return [delivery.id for delivery in deliveries]
