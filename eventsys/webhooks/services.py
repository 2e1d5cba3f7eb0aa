"""What organisers do with their endpoints: add, rotate the secret, turn off and on, delete, test, read logs.

An endpoint belongs to the organiser who added it: only they see it (another
organiser's id is not found), and it is scoped to an event they manage or to all
of theirs. Its URL is checked for private addresses here (and again at every
delivery: addresses.py). Its secret is shown once, when made, and never again;
rotating makes a new one while the old one keeps signing for a day (ROTATION_GRACE),
so receivers can switch without losing a message.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.accounts.services import may_manage
from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.webhooks import addresses, disabling, emit, message_types, signing
from eventsys.webhooks.models import (
    DisabledReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)

#: how long the secret before a rotation keeps signing beside the new one
ROTATION_GRACE = timedelta(hours=24)
#: attempts on one page of the delivery log
LOG_PAGE_SIZE = 50
#: endpoints one organiser may have: each message goes to each, so more would multiply what we send
ENDPOINTS_MAX = 20


class EndpointRefused(ValueError):
    """A change breaks a rule; errors maps each form field concerned to its messages ("" = the whole form)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(" ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


def endpoints_of(owner, event_id: int | None = None) -> list[WebhookEndpoint]:
    """The owner's endpoints: all, or those getting the event's messages (the event's and all-events ones)."""
    query = sa.select(WebhookEndpoint).where(WebhookEndpoint.owner_id == owner.id)
    if event_id is not None:
        query = query.where(sa.or_(WebhookEndpoint.event_id == event_id, WebhookEndpoint.event_id.is_(None)))
    return list(db.session.scalars(query.order_by(WebhookEndpoint.id)))


def still_managed(endpoint: WebhookEndpoint) -> bool:
    """Whether its owner still manages its event (true of an all-events one): else nothing goes to it."""
    return endpoint.event_id is None or may_manage(endpoint.owner, endpoint.event_id)


def endpoint_of(owner, endpoint_id: int) -> WebhookEndpoint | None:
    """The endpoint, only if this organiser owns it."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    return endpoint if endpoint is not None and endpoint.owner_id == owner.id else None


def create_endpoint(owner, url: str, event_types: list[str],
                    event_id: int | None) -> tuple[WebhookEndpoint, str]:
    """Save a new endpoint; returns it with its secret, which is never shown again. Raises EndpointRefused."""
    url = (url or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        addresses.resolve(url)
    except addresses.AddressRefused as refused:
        errors["url"] = [str(refused)]
    chosen = [name for name in message_types.SUBSCRIBABLE if name in set(event_types)]
    if not chosen or len(chosen) != len(set(event_types)):
        errors["event_types"] = [_("Choose at least one kind of message from the list.")]
    if event_id is not None and (db.session.get(Event, event_id) is None or not may_manage(owner, event_id)):
        errors["scope"] = [_("Choose one of the events you manage.")]
    owned = db.session.scalar(sa.select(sa.func.count()).where(WebhookEndpoint.owner_id == owner.id))
    if owned >= ENDPOINTS_MAX:
        errors[""] = [_("You have %(count)s endpoints, the most one organiser may have: delete one first.",
                        count=owned)]
    if errors:
        raise EndpointRefused(errors)
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(owner_id=owner.id, event_id=event_id, url=url, event_types=chosen,
                               secret=signing.seal(secret), enabled=True, created_at=utcnow())
    db.session.add(endpoint)
    db.session.commit()
    return endpoint, secret


def rotate_secret(endpoint: WebhookEndpoint, now: datetime | None = None) -> str:
    """A new secret, returned to be shown once; the old one signs beside it for ROTATION_GRACE."""
    now = now or utcnow()
    secret = signing.new_secret()
    endpoint.previous_secret, endpoint.previous_secret_expires_at = endpoint.secret, now + ROTATION_GRACE
    endpoint.secret = signing.seal(secret)
    db.session.commit()
    return secret


def turn_off(endpoint: WebhookEndpoint, now: datetime | None = None) -> None:
    """Stop sending to the endpoint; what waited for it is cancelled."""
    disabling.turn_off(db.session, endpoint.id, DisabledReason.owner, now or utcnow())
    db.session.commit()
    db.session.refresh(endpoint)


def turn_on(endpoint: WebhookEndpoint) -> None:
    """Send to the endpoint again, from the next message on."""
    disabling.turn_on(db.session, endpoint.id)
    db.session.commit()
    db.session.refresh(endpoint)


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint with its deliveries and their log."""
    db.session.delete(endpoint)
    db.session.commit()


def send_test(endpoint: WebhookEndpoint) -> None:
    """Send a `webhook.test` message to the endpoint, delivered (and retried, and logged) like any other."""
    if not endpoint.enabled:
        raise EndpointRefused({"": [_("Turn the endpoint on first: nothing is sent to it while it is off.")]})
    emit.emit_test(endpoint.id, endpoint.event_id, {"endpoint": {"id": endpoint.id}})
    db.session.commit()


@dataclass(frozen=True)
class LogPage:
    """One page of an endpoint's delivery log, newest attempt first."""

    rows: list[sa.Row]
    page: int
    pages: int


def attempt_log(endpoint_id: int, page: int = 1) -> LogPage:
    """The endpoint's attempts, newest first, each with its message's type and its delivery's state."""
    total = db.session.scalar(sa.select(sa.func.count()).where(WebhookAttempt.endpoint_id == endpoint_id))
    pages = max(math.ceil(total / LOG_PAGE_SIZE), 1)
    page = min(max(page, 1), pages)
    rows = list(db.session.execute(
        sa.select(WebhookAttempt.id, WebhookAttempt.number, WebhookAttempt.attempted_at,
                  WebhookAttempt.status_code, WebhookAttempt.duration_ms, WebhookAttempt.response_excerpt,
                  WebhookAttempt.succeeded, WebhookDelivery.state, WebhookDelivery.next_attempt_at,
                  WebhookDelivery.attempts.label("delivery_attempts"),
                  WebhookMessage.id.label("message_id"), WebhookMessage.type)
        .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
        .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
        .where(WebhookAttempt.endpoint_id == endpoint_id)
        .order_by(WebhookAttempt.id.desc())
        .offset((page - 1) * LOG_PAGE_SIZE).limit(LOG_PAGE_SIZE)
    ))
    return LogPage(rows, page, pages)
