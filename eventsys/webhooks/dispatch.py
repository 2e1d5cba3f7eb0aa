"""Handing webhook work to the worker: new messages after their commit, and due retries from the sweep.

With a broker, committed message ids go to this process's dispatcher thread (as
the outbox's do), which queues one fan-out task per batch; the fan-out queues one
delivery task per delivery, so a slow receiver holds up only its own. Without one
(the embedded mode) the work is done right here, after the commit.

Every retry is a due time in its delivery's row, never a countdown in the broker:
the sweep (beat, `flask tick`, or the embedded scheduler) claims what is due and
queues it. A message whose hand-over was lost (the broker was down, the process
died) is fanned out by the sweep too. Nothing is lost while Redis is away; it waits.
"""

import atexit
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from eventsys.database import db, utcnow
from eventsys.mail.dispatcher import Dispatcher
from eventsys.webhooks import delivery, fanout
from eventsys.webhooks.models import DeliveryState, WebhookDelivery, WebhookMessage

log = logging.getLogger(__name__)

#: deliveries the sweep claims in one round
SWEEP_BATCH = 500


def _publish(celery_app, message_ids: list[int]) -> None:
    celery_app.send_task("eventsys.webhooks.fan_out", args=[message_ids])


_dispatcher = Dispatcher(_publish)
atexit.register(_dispatcher.flush)


def _celery():
    return current_app.extensions["celery"]


def hand_over(message_ids: list[int]) -> None:
    """Start delivering committed messages; a broker that is down only delays them (the sweep)."""
    celery_app = _celery()
    if not celery_app.conf.task_always_eager:
        _dispatcher.submit(celery_app, list(message_ids))
        return
    try:
        fan_out(message_ids)
    except Exception:  # delivery trouble must not undo the caller's committed change
        log.warning("could not deliver webhook messages %s now; the sweep will", message_ids, exc_info=True)


def flush() -> None:
    """Publish what the dispatcher thread has not published yet (tests, and before a process ends)."""
    _dispatcher.flush()


def start(deliveries: list[tuple[int, datetime | None]], now: datetime | None = None) -> None:
    """Attempt these deliveries (each id with its sweep claim, or None): as tasks, or here without broker."""
    celery_app = _celery()
    eager = celery_app.conf.task_always_eager
    for delivery_id, claimed_until in deliveries:
        try:
            if eager:
                delivery.deliver(delivery_id, now, claimed_until)
            else:
                celery_app.send_task("eventsys.webhooks.deliver", args=[
                    delivery_id, claimed_until.isoformat() if claimed_until else None])
        except Exception:  # a bug in one delivery: the others still go; the broker down: none would
            log.warning("could not start webhook delivery %s; the sweep will", delivery_id, exc_info=True)
            if not eager:
                break


def fan_out(message_ids: list[int], now: datetime | None = None) -> int:
    """Make these messages' deliveries and start them; how many."""
    made = fanout.fan_out(message_ids, now or utcnow())
    start([(delivery_id, None) for delivery_id in made], now)
    return len(made)


def prune(now: datetime) -> int:
    """Forget messages (with their deliveries and log) older than WEBHOOK_LOG_DAYS, once none is pending."""
    cutoff = now - timedelta(days=current_app.config["WEBHOOK_LOG_DAYS"])
    pending = sa.exists().where(WebhookDelivery.message_id == WebhookMessage.id,
                                WebhookDelivery.state == DeliveryState.pending)
    with Session(db.engine) as session:
        deleted = session.execute(
            sa.delete(WebhookMessage).where(WebhookMessage.created_at < cutoff, ~pending)).rowcount
        session.commit()
    return deleted


def sweep(now: datetime | None = None) -> int:
    """Fan out messages left without deliveries, start every due delivery, prune old ones; how many started.

    This is how every retry is sent: a failed attempt only sets its delivery's due time.
    """
    now = now or utcnow()
    fanout.fan_out(None, now)
    with Session(db.engine) as session:
        claimed = delivery.claim_due(session, now, SWEEP_BATCH)
    start(claimed, now)
    prune(now)
    return len(claimed)
