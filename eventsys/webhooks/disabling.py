"""Turning an endpoint off: by its owner, by a 410 Gone, or after three days without a success.

One conditional UPDATE decides it, so of two workers failing at once only one turns
it off and only one email goes. Its deliveries still waiting are cancelled in the
same transaction: an endpoint turned on again starts afresh, not with a backlog of
days. When it was turned off by the deliveries, not by its owner, the owner is
emailed (through the outbox, in that transaction).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eventsys.webhooks import emails
from eventsys.webhooks.models import DeliveryState, DisabledReason, WebhookDelivery, WebhookEndpoint


def turn_off(session: Session, endpoint_id: int, reason: DisabledReason, now: datetime,
             only_if: sa.ColumnElement[bool] | None = None) -> bool:
    """Turn the endpoint off if it is on (and only_if holds); whether this call did it."""
    condition = [WebhookEndpoint.id == endpoint_id, WebhookEndpoint.enabled]
    if only_if is not None:
        condition.append(only_if)
    turned = session.scalars(
        sa.update(WebhookEndpoint).where(*condition)
        .values(enabled=False, disabled_reason=reason, disabled_at=now)
        .returning(WebhookEndpoint)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).first()
    if turned is None:
        return False
    session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.state == DeliveryState.pending)
        .values(state=DeliveryState.cancelled)
        .execution_options(synchronize_session=False)
    )
    if reason is not DisabledReason.owner:
        emails.queue_endpoint_disabled(session, turned)
    return True


def turn_on(session: Session, endpoint_id: int) -> None:
    """Turn the endpoint on again, with a clean slate: no reason, no failing streak."""
    session.execute(
        sa.update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
        .values(enabled=True, disabled_reason=None, disabled_at=None, failing_since=None)
        .execution_options(synchronize_session=False)
    )
