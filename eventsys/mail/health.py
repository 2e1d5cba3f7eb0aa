"""Is mail going out? Worker heartbeats and the age of the oldest email waiting, for the organisers' banner.

A worker that died sends nothing and says nothing; the organisers would only learn
it from attendees who never got their confirmation. So each worker writes a
heartbeat row every HEARTBEAT_SECONDS, and every organiser page compares it, and
the oldest email that is due, with the limits below.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite

from eventsys.database import db, utcnow
from eventsys.mail.models import EmailState, OutboundEmail, WorkerHeartbeat

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
#: no heartbeat for this long: the worker is taken for dead
WORKER_SILENT_AFTER = timedelta(minutes=2)
#: a worker silent this long is gone for good (replaced by a deploy): its row is deleted
FORGET_WORKERS_AFTER = timedelta(days=7)
#: a due email waiting this long: mail is stuck, whatever the heartbeats say
OLDEST_DUE_AFTER = timedelta(minutes=5)


def record_heartbeat(worker: str, now: datetime | None = None) -> None:
    """Note that this worker is alive now, and forget workers silent for FORGET_WORKERS_AFTER."""
    now = now or utcnow()
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(WorkerHeartbeat).values(worker=worker, seen_at=now)
    db.session.execute(insert.on_conflict_do_update(index_elements=["worker"], set_={"seen_at": now}))
    # Each container's worker has a name of its own, so every deploy leaves a row behind.
    db.session.execute(sa.delete(WorkerHeartbeat).where(WorkerHeartbeat.seen_at < now - FORGET_WORKERS_AFTER))
    db.session.commit()


def start_heartbeat(app: Flask, worker: str, interval: float = HEARTBEAT_SECONDS) -> threading.Event:
    """Write heartbeats from a daemon thread until the returned event is set."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.is_set():
            try:
                with app.app_context():
                    record_heartbeat(worker)
                    db.session.remove()
            except Exception:  # a database hiccup must not kill the thread; the banner shows the gap
                log.warning("could not record the heartbeat of %s", worker, exc_info=True)
            stop.wait(interval)

    threading.Thread(target=beat, name="eventsys-heartbeat", daemon=True).start()
    return stop


@dataclass(frozen=True)
class MailHealth:
    """What the banner needs to know."""

    #: due emails still waiting, and since when the oldest has been due
    oldest_due_at: datetime | None
    #: the latest heartbeat of any worker; None when none ever beat
    last_heartbeat_at: datetime | None
    #: False in the in-process mode, where the web process delivers and no worker is expected
    worker_expected: bool
    now: datetime

    @property
    def worker_silent(self) -> bool:
        """No worker has said it is alive for WORKER_SILENT_AFTER."""
        if not self.worker_expected:
            return False
        return self.last_heartbeat_at is None or self.now - self.last_heartbeat_at > WORKER_SILENT_AFTER

    @property
    def mail_overdue(self) -> bool:
        """The oldest due email has waited more than OLDEST_DUE_AFTER."""
        return self.oldest_due_at is not None and self.now - self.oldest_due_at > OLDEST_DUE_AFTER

    @property
    def troubled(self) -> bool:
        """Whether the organisers' pages show the warning banner."""
        return self.worker_silent or self.mail_overdue


def mail_health(now: datetime | None = None) -> MailHealth:
    """Read both signs in one query."""
    now = now or utcnow()
    oldest_due = (
        sa.select(sa.func.min(OutboundEmail.next_attempt_at))
        .where(OutboundEmail.state == EmailState.queued, OutboundEmail.next_attempt_at <= now)
        .scalar_subquery()
    )
    last_beat = sa.select(sa.func.max(WorkerHeartbeat.seen_at)).scalar_subquery()
    row = db.session.execute(
        sa.select(sa.type_coerce(oldest_due, OutboundEmail.next_attempt_at.type),
                  sa.type_coerce(last_beat, WorkerHeartbeat.seen_at.type))
    ).one()
    worker_expected = not current_app.extensions["celery"].conf.task_always_eager
    return MailHealth(oldest_due_at=row[0], last_heartbeat_at=row[1], worker_expected=worker_expected,
                      now=now)
