"""Pooled PostgreSQL connections: a dead one is replaced before a request sees it, no ping per request."""

import time

import httpx
import psycopg
import pytest

from eventsys import pool_liveness
from eventsys.database import db
from tests import servers
from tests.factories import make_event

pytestmark = pytest.mark.slow


def _terminate_app_connections(database: str) -> int:
    """What a server restart, or a firewall dropping idle connections, does to the app's pool."""
    with psycopg.connect(servers.POSTGRES_ADMIN_URL, autocommit=True) as admin:
        return admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()", (database,)).fetchone()[0]


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_connections_killed_while_idle_in_the_pool_are_replaced_before_any_request_fails(app):
    make_event(slug="lecture")
    database = db.engine.url.database
    db.session.remove()
    db.engine.dispose()
    process, base_url = servers.start_gunicorn(
        servers.app_environment(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"]), workers=1, threads=4)
    try:
        with httpx.Client(base_url=base_url, timeout=30) as http:
            assert all(http.get("/api/v1/events/lecture").status_code == 200 for _ in range(8))
            assert _terminate_app_connections(database) >= 1
            time.sleep(pool_liveness.ALIVE_BYPASS_SECONDS + 0.3)

            answers = [http.get("/api/v1/events/lecture") for _ in range(8)]

        assert [a.status_code for a in answers] == [200] * 8
    finally:
        servers.stop(process)
