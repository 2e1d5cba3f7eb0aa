"""GET /healthz as a load balancer sees it: 200 while the database and broker answer, else 503."""

from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from eventsys.config import celery_settings
from eventsys.database import db, utcnow
from eventsys.mail.health import record_heartbeat
from eventsys.mail.models import EmailState, OutboundEmail
from tests import servers
from tests.conftest import make_app

#: in a URL the check must never repeat (PostgreSQL's trust auth ignores it)
PASSWORD = "hunter2-not-for-monitors"


def _queue_row_due(minutes_ago: int) -> None:
    """An email due some minutes ago, written without the outbox's dispatch so no task is published."""
    db.session.execute(sa.insert(OutboundEmail).values(
        idempotency_key=f"healthz:{minutes_ago}", kind="registration_confirmed", recipient="a@example.org",
        locale="en", context={}, state=EmailState.queued, attempts=0,
        next_attempt_at=utcnow() - timedelta(minutes=minutes_ago), created_at=utcnow(),
    ))
    db.session.commit()


def test_the_embedded_default_is_healthy_without_a_broker(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "ok" and body["failed"] == []
    assert body["database"] == "ok"
    assert body["broker"] == "not configured"
    assert body["outbox"]["oldest_due_seconds"] is None
    # Tasks run in the web process: no worker is expected, so none is reported silent.
    assert body["outbox"]["worker_expected"] is False and body["outbox"]["worker_silent"] is False
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.postgres
@pytest.mark.redis
def test_postgresql_and_redis_up_answer_200_with_the_outbox_state(postgresql_url, mail_dir):
    redis_url = servers.require_redis()
    app = make_app(postgresql_url, REDIS_URL=redis_url, CELERY=celery_settings(redis_url),
                   MAIL_FILE_DIR=str(mail_dir))
    with app.app_context():
        try:
            _queue_row_due(minutes_ago=7)
            record_heartbeat("celery@healthz-test")
            answer = app.test_client().get("/healthz")
            assert answer.status_code == 200, answer.text
            body = answer.get_json()
            assert (body["database"], body["broker"], body["failed"]) == ("ok", "ok", [])
            assert 7 * 60 - 5 <= body["outbox"]["oldest_due_seconds"] <= 7 * 60 + 60
            assert body["outbox"]["mail_overdue"] is True
            assert body["outbox"]["last_worker_heartbeat"] is not None
            assert body["outbox"]["worker_expected"] is True and body["outbox"]["worker_silent"] is False
        finally:
            db.session.remove()
            with db.engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE outbound_email, worker_heartbeat"))
            db.engine.dispose()


@pytest.mark.postgres
def test_the_checks_read_the_outbox_through_its_index(postgresql_url):
    """Polled every few seconds by every monitor: no query of the check may scan the outbox."""
    app = make_app(postgresql_url)
    statements = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", remember)
        try:
            assert app.test_client().get("/healthz").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", remember)
        outbox_queries = [s for s in statements if "outbound_email" in s[0]]
        assert outbox_queries, statements
        with db.engine.connect() as conn:
            # A near-empty table is scanned whatever its indexes; forbid scans to see which index is used.
            conn.exec_driver_sql("SET enable_seqscan = off")
            for statement, parameters in outbox_queries:
                plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
                assert "Seq Scan on outbound_email" not in plan, plan
                assert "ix_outbound_email_state_next_attempt_at" in plan, plan
        db.engine.dispose()


def test_an_unreachable_database_answers_503_naming_it():
    closed = f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{servers.free_port()}/eventsys"
    app = make_app(closed)
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["database"] == "unreachable" and body["outbox"] is None
    assert PASSWORD not in answer.text and "127.0.0.1" not in answer.text


@pytest.mark.slow
@pytest.mark.postgres
def test_gunicorn_answers_503_naming_the_broker_while_its_redis_is_stopped():
    database_url = servers.create_postgres_database("eventsys_healthz")
    redis_process, redis_url = servers.start_redis()
    web = None
    try:
        with_password = database_url.replace("postgres@", f"postgres:{PASSWORD}@", 1)
        env = servers.app_environment(DATABASE_URL=with_password, REDIS_URL=redis_url)
        migrated = servers.start_process(
            [str(servers.VENV_BIN / "flask"), "--app", "eventsys", "db", "upgrade"], env)
        assert migrated.wait(timeout=120) == 0, servers.output_of(migrated)
        web, base_url = servers.start_gunicorn(env, workers=1, threads=2)

        healthy = httpx.get(f"{base_url}/healthz", timeout=10)
        assert healthy.status_code == 200, healthy.text
        assert healthy.json()["broker"] == "ok"

        servers.stop(redis_process)
        broken = httpx.get(f"{base_url}/healthz", timeout=10)
        assert broken.status_code == 503
        assert broken.json()["failed"] == ["broker"]
        assert broken.json()["broker"] == "unreachable" and broken.json()["database"] == "ok"
        for secret in (PASSWORD, "test-secret", redis_url):
            assert secret not in broken.text
    finally:
        if web is not None:
            servers.stop(web)
        servers.stop(redis_process)
        servers.drop_postgres_database(database_url)
