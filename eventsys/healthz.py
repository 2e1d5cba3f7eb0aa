"""GET /healthz: can this process serve, and is mail moving? For load balancers and monitors.

The answer is 200 when the database and the broker both answer, 503 otherwise, naming the part
that failed: a load balancer then takes a web process that lost its database out of rotation.
The outbox (oldest due email, last worker heartbeat) is reported but never fails the check: a
dead worker is no reason to stop serving pages, and the organisers' banner already shows it.

Cheap enough to be polled every few seconds: `SELECT 1`, one Redis PING, and mail/health.py's
one query, which reads the outbox through its (state, next_attempt_at) index. No error text is
shown, as it could carry a URL with its password; the log has it.
"""

import logging

import redis
import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify

from eventsys.database import db
from eventsys.extensions import csrf, limiter
from eventsys.mail.health import mail_health

log = logging.getLogger(__name__)

bp = Blueprint("healthz", __name__)
# Monitors poll it from few addresses and often: the public limits are not for them.
limiter.exempt(bp)
# GET only, so CSRF never applies; exempt anyway, so a HEAD or a future probe is never refused.
csrf.exempt(bp)

#: a broker that takes longer than this to answer counts as down (the probe's own timeout is a few s)
BROKER_TIMEOUT_SECONDS = 2.0


def database_answers() -> bool:
    """Whether `SELECT 1` runs on the app's database."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except Exception:  # any failure means the same to a load balancer: not ready
        log.warning("healthz: the database does not answer", exc_info=True)
        db.session.rollback()
        return False


def _broker_client(app: Flask) -> redis.Redis:
    """One Redis client per app, so polling reuses a connection instead of opening one each time."""
    client = app.extensions.get("healthz_redis")
    if client is None:
        client = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
                                      socket_timeout=BROKER_TIMEOUT_SECONDS)
        app.extensions["healthz_redis"] = client
    return client


def broker_state() -> str:
    """'ok', 'unreachable', or 'not configured' in the embedded mode (tasks run in-process)."""
    if not current_app.config.get("REDIS_URL"):
        return "not configured"
    try:
        _broker_client(current_app).ping()
        return "ok"
    except redis.RedisError:
        log.warning("healthz: the broker does not answer", exc_info=True)
        return "unreachable"


def outbox_state() -> dict | str:
    """How old the oldest due email is, and when a worker last said it was alive."""
    try:
        health = mail_health()
    except Exception:  # e.g. a database not migrated yet: say so, the check itself still answers
        log.warning("healthz: the outbox cannot be read", exc_info=True)
        db.session.rollback()
        return "unreadable"
    oldest = health.oldest_due_at
    return {
        "oldest_due_seconds": round((health.now - oldest).total_seconds()) if oldest else None,
        "last_worker_heartbeat": health.last_heartbeat_at.isoformat() if health.last_heartbeat_at else None,
        "worker_expected": health.worker_expected,
        "worker_silent": health.worker_silent,
        "mail_overdue": health.mail_overdue,
    }


@bp.get("/healthz")
def healthz():
    """200 with each part's state when the database and broker answer, 503 naming what failed."""
    database_ok = database_answers()
    broker = broker_state()
    failed = [name for name, ok in (("database", database_ok), ("broker", broker != "unreachable")) if not ok]
    body = {
        "status": "ok" if not failed else "unavailable",
        "failed": failed,
        "database": "ok" if database_ok else "unreachable",
        "broker": broker,
        # Without the database there is no outbox to read.
        "outbox": outbox_state() if database_ok else None,
    }
    response = jsonify(body)
    response.status_code = 200 if not failed else 503
    response.headers["Cache-Control"] = "no-store"
    return response
