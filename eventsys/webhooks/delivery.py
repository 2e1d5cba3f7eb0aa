"""One attempt to deliver a message to an endpoint: claim it, post it signed, record what happened.

A delivery is taken by a conditional UPDATE that pushes its due time past the
attempt's timeout: two workers (or a worker and the sweep) never send the same
attempt, and one that dies mid-attempt leaves a delivery that is simply due again
later. Nothing is held open while the receiver is called: the claim is committed
first, the outcome recorded after in one transaction (the attempt, the delivery's
next due time, the endpoint's state, and the owner's email when it is turned off).

2xx delivers. 410 Gone turns the endpoint off at once. Anything else (another
status, a timeout, a refused address) is tried again after growing delays, until
three days after the first attempt: the last try falls on that mark. An endpoint
that has not succeeded for three days in a row is turned off and its owner told;
a message failing alone meets that mark with its last try, since the endpoint's
failing streak began no later than that message's first attempt.
"""

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpcore
import httpx
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.webhooks import addresses, disabling, signing
from eventsys.webhooks.models import (
    DeliveryState,
    DisabledReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)

#: the wait after the n-th failed attempt (the last one repeats), as Svix spaces them
RETRY_DELAYS = (timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=5), timedelta(hours=10))
#: a delivery is tried until this long after its first attempt
GIVE_UP_AFTER = timedelta(days=3)
#: an endpoint with no success for this long is turned off
DISABLE_AFTER = timedelta(days=3)
#: how much of an answer's body the log keeps
EXCERPT_BYTES = 2048
USER_AGENT = "eventsys-webhooks/1"


def retry_delay(failed_attempts: int) -> timedelta:
    """The wait before the next try, after this many failed ones."""
    return RETRY_DELAYS[min(failed_attempts, len(RETRY_DELAYS)) - 1]


def _timeout() -> float:
    return float(current_app.config["WEBHOOK_TIMEOUT_SECONDS"])


@dataclass(frozen=True)
class Answer:
    """What one attempt got: the status (None without an answer), how long it took, what it said."""

    status_code: int | None
    duration_ms: int
    excerpt: str

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def payload(message: WebhookMessage, event: Event | None) -> str:
    """The body: small JSON with the type, when it happened (UTC), and its data: ids, slugs, statuses.

    The data names its event (id, slug, status) as the event is when sent, then what the
    message stored (a registration's id and status as they were). No names, no addresses:
    the receiver asks the API for more.
    """
    moment = message.created_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    about_event = {} if event is None else {"event": {"id": event.id, "slug": event.slug,
                                                      "status": str(event.status)}}
    return json.dumps({"type": message.type, "timestamp": moment, "data": {**about_event, **message.data}},
                      separators=(",", ":"), ensure_ascii=False)


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the one before it while the rotation's grace lasts."""
    secrets = [signing.unseal(endpoint.secret)]
    grace = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and grace and grace > now:
        secrets.append(signing.unseal(endpoint.previous_secret))
    return secrets


def _excerpt(data: bytes) -> str:
    # PostgreSQL's text takes no NUL character.
    return data[:EXCERPT_BYTES].decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def post(endpoint: WebhookEndpoint, message: WebhookMessage, event: Event | None, now: datetime) -> Answer:
    """Send the message to the endpoint once, at the address just checked; never raises."""
    started = time.monotonic()

    def failed(reason: str) -> Answer:
        return Answer(None, int((time.monotonic() - started) * 1000), reason[:EXCERPT_BYTES])

    try:
        target = addresses.resolve(endpoint.url)
        secrets = signing_secrets(endpoint, now)
    except (addresses.AddressRefused, signing.UnreadableSecret) as refused:
        return failed(str(refused))
    body = payload(message, event)
    headers = signing.headers(signing.webhook_id(message.id), body, utcnow(), secrets)
    headers.update({"content-type": "application/json", "user-agent": USER_AGENT})
    timeout = _timeout()
    try:
        with addresses.pinned_client(target, timeout) as client, \
                client.stream("POST", target.url, content=body.encode(), headers=headers) as response:
            received = b""
            for chunk in response.iter_bytes():
                received += chunk
                if len(received) >= EXCERPT_BYTES or time.monotonic() - started > timeout:
                    break
            return Answer(response.status_code, int((time.monotonic() - started) * 1000), _excerpt(received))
    except (httpx.TimeoutException, httpcore.TimeoutException):
        return failed(f"no answer within {timeout:g} s")
    except Exception as problem:  # refused, reset, TLS, a malformed answer: all a failed attempt
        return failed(f"{type(problem).__name__}: {problem}")


def lease_until(now: datetime) -> datetime:
    """Until when a claimed delivery is ours: past the attempt's timeout, with room to record it."""
    return now + timedelta(seconds=_timeout() + 60)


def _claim(session: Session, delivery_id: int, now: datetime,
           claimed_until: datetime | None) -> WebhookDelivery | None:
    """Take the delivery, or None if it is not ours to send now.

    Without claimed_until: if it is pending, due, and its endpoint enabled. With it (the
    sweep claimed it and queued this attempt): if that claim still stands, unexpired and
    not taken again since. Either way its due time moves past the attempt's lease.
    """
    if claimed_until is None:
        ours = sa.and_(WebhookDelivery.next_attempt_at <= now,
                       WebhookDelivery.endpoint_id.in_(sa.select(WebhookEndpoint.id).where(WebhookEndpoint.enabled)))
    else:
        ours = sa.and_(WebhookDelivery.next_attempt_at == claimed_until,
                       WebhookDelivery.next_attempt_at > now)
    claimed = session.scalars(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.state == DeliveryState.pending, ours)
        .values(next_attempt_at=lease_until(now))
        .returning(WebhookDelivery)
        .execution_options(synchronize_session=False)
    ).first()
    session.commit()
    return claimed


def claim_due(session: Session, now: datetime, limit: int) -> list[tuple[int, datetime]]:
    """Claim up to limit due deliveries of enabled endpoints at once (the sweep); each id with its lease."""
    due = (sa.select(WebhookDelivery.id)
           .where(WebhookDelivery.state == DeliveryState.pending, WebhookDelivery.next_attempt_at <= now,
                  WebhookDelivery.endpoint_id.in_(sa.select(WebhookEndpoint.id).where(WebhookEndpoint.enabled)))
           .order_by(WebhookDelivery.next_attempt_at).limit(limit))
    lease = lease_until(now)
    # The conditions again in the UPDATE: a row another sweep took meanwhile is re-read and skipped.
    claimed = list(session.scalars(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(due), WebhookDelivery.state == DeliveryState.pending,
               WebhookDelivery.next_attempt_at <= now)
        .values(next_attempt_at=lease)
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    ))
    session.commit()
    return [(delivery_id, lease) for delivery_id in sorted(claimed)]


def _after_failure(session: Session, delivery: WebhookDelivery, endpoint: WebhookEndpoint,
                   answer: Answer, now: datetime) -> dict:
    """What a failed attempt changes: the delivery's next try or its end, and the endpoint's state."""
    if answer.status_code == 410:
        disabling.turn_off(session, endpoint.id, DisabledReason.gone, now)
        return {"state": DeliveryState.failed}
    session.execute(sa.update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id)
                    .values(failing_since=sa.func.coalesce(WebhookEndpoint.failing_since, now)))
    disabling.turn_off(session, endpoint.id, DisabledReason.failing, now,
                       only_if=WebhookEndpoint.failing_since <= now - DISABLE_AFTER)
    deadline = delivery.give_up_at or now + GIVE_UP_AFTER
    if now >= deadline:
        return {"state": DeliveryState.failed}
    next_attempt_at = min(now + retry_delay(delivery.attempts + 1), deadline)
    return {"next_attempt_at": next_attempt_at, "give_up_at": deadline}


def _record(session: Session, delivery: WebhookDelivery, endpoint: WebhookEndpoint, answer: Answer,
            now: datetime) -> None:
    number = delivery.attempts + 1
    session.add(WebhookAttempt(delivery_id=delivery.id, endpoint_id=endpoint.id, number=number,
                               attempted_at=now,
                               status_code=answer.status_code, duration_ms=answer.duration_ms,
                               response_excerpt=answer.excerpt, succeeded=answer.succeeded))
    if answer.succeeded:
        changes = {"state": DeliveryState.delivered}
        session.execute(sa.update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id)
                        .values(failing_since=None))
    else:
        changes = _after_failure(session, delivery, endpoint, answer, now)
    values = {"attempts": number, "last_status_code": answer.status_code, "last_attempt_at": now,
              "next_attempt_at": now, **changes}
    session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery.id).values(values)
                    .execution_options(synchronize_session=False))
    session.commit()


def deliver(delivery_id: int, now: datetime | None = None, claimed_until: datetime | None = None) -> bool:
    """Make one attempt at the delivery if it is ours to make (see _claim); whether one was made.

    Uses a session of its own: in the in-process mode it runs right after the caller's commit.
    """
    now = now or utcnow()
    with Session(db.engine, expire_on_commit=False) as session:
        delivery = _claim(session, delivery_id, now, claimed_until)
        if delivery is None:
            return False
        message = session.get(WebhookMessage, delivery.message_id)
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        event = session.get(Event, message.event_id) if message.event_id is not None else None
        session.commit()  # nothing held open while the receiver is called
        answer = post(endpoint, message, event, now)
        _record(session, delivery, endpoint, answer, now)
        return True
