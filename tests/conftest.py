"""Fixtures: an app on SQLite (the default) or on PostgreSQL, migrated once, emptied after each test."""

import copy
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask_migrate import upgrade

from eventsys import create_app
from eventsys.database import db
from tests import servers

BACKENDS = ("sqlite", "postgresql")

#: run a test on both databases: @both_databases
both_databases = pytest.mark.parametrize("app", BACKENDS, indirect=True)


def _migrated(url: str) -> str:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    """A migrated SQLite database file for this test run."""
    return _migrated(f"sqlite:///{tmp_path_factory.mktemp('db') / 'eventsys.db'}")


@pytest.fixture(scope="session")
def postgresql_url() -> str:
    """A migrated PostgreSQL database for this test run, dropped at the end."""
    url = servers.create_postgres_database()
    try:
        yield _migrated(url)
    finally:
        servers.drop_postgres_database(url)


def _empty_tables() -> None:
    """Delete every row the test left, children first, and restart the ids as a new database would.

    On PostgreSQL only the tables that hold rows are emptied, with DELETE: a TRUNCATE of
    every table took 0.3–0.7 s, paid by each of hundreds of tests.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")"
                                       for t in tables)
            filled = set(conn.execute(sa.text(probe)).scalars())
            for table in tables:
                if table.name in filled:
                    conn.execute(table.delete())
            restarts = [f"setval(pg_get_serial_sequence('\"{t.name}\"', 'id'), 1, false)"
                        for t in tables if t.name in filled and "id" in t.c and t.c.id.primary_key]
            if restarts:
                conn.execute(sa.text("SELECT " + ", ".join(restarts)))
        else:
            for table in tables:
                conn.execute(table.delete())


def _forget_request_caches(sender, **_extra) -> None:
    """Each test request starts as a browser's would: no signed-in user or CSRF token left in `g`.

    The app fixture keeps one app context open for the whole test, and Flask reuses it for
    the test client's requests, so Flask-Login's and Flask-WTF's per-request caches in `g`
    would otherwise leak from one client (or one request) to the next.
    """
    from flask import g

    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    g.pop("_flask_babel", None)  # the language chosen for the previous request


#: registration limits out of the way: tests register crowds from one address and one mailbox;
#: tests/registration/test_limits.py sets its own
UNLIMITED_REGISTRATION = {"REGISTRATION_RATE_LIMIT": "100000 per second",
                          "REGISTRATION_EVENT_RATE_LIMIT": "100000 per second",
                          "REGISTRATION_MAILBOX_LIMIT": 100000, "PUBLIC_LINK_RATE_LIMIT": "100000 per second",
                          "PUBLIC_PAGE_RATE_LIMIT": "100000 per second"}


#: the key that encrypts passport details in tests (visa letters); a real key, made for this run
TEST_PASSPORT_KEY = Fernet.generate_key().decode()


def make_app(url: str, **config):
    """An app for tests on the database at url; mail goes to .eml files unless config says otherwise."""
    from flask import request_started

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "events.test",
                      "BASE_URL": "http://events.test", "PASSPORT_KEYS": TEST_PASSPORT_KEY,
                      # scrypt still, with a 32nd of the work: a sign-in cost a test 0.35 s otherwise
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
                      **UNLIMITED_REGISTRATION, **config})
    request_started.connect(_forget_request_caches, app)
    return app


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    """Where the embedded mail transport writes this test's messages."""
    return tmp_path / "mail"


#: one app per database for the whole run (per xdist worker), with the settings it was made with:
#: making an app compiles every route and builds the OpenAPI document, about 0.3 s, which a
#: thousand tests would pay each
_shared_apps: dict[str, tuple] = {}


def _shared_app(url: str):
    """The run's app on this database, as it was made: what a test or another app changed is put back.

    The extensions that are one object for every app (the rate limiter, Celery's default
    app) were last set up by whichever app was made last, perhaps a test's own with a
    broker of its own: they are pointed back at this app's.
    """
    from eventsys.extensions import api, limiter

    if url not in _shared_apps:
        app = make_app(url)
        _shared_apps[url] = (app, copy.deepcopy(dict(app.config)), dict(vars(limiter)), api._app)
    app, settings, limiter_state, api_app = _shared_apps[url]
    app.config.clear()
    app.config.update(copy.deepcopy(settings))
    vars(limiter).clear()
    vars(limiter).update(limiter_state)
    api._app = api_app
    app.extensions["celery"].set_default()
    app.extensions["celery"].set_current()
    return app


@pytest.fixture
def app(request, mail_dir):
    """The app on SQLite, or on the database named by parametrize(..., indirect=True).

    The same app object serves every test on that database; each test starts with its
    settings as made, empty tables, no rate-limit counts, and its own mail folder.
    """
    from eventsys.extensions import limiter

    backend = getattr(request, "param", "sqlite")
    url = request.getfixturevalue(f"{backend}_url")
    app = _shared_app(url)
    app.config["MAIL_FILE_DIR"] = str(mail_dir)
    with app.app_context():
        limiter.reset()  # counts of the previous test's requests
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client with CSRF on, as in production."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """The `flask` command line of the app."""
    return app.test_cli_runner()


@pytest.fixture
def smtp_sink():
    """A real SMTP server on loopback that records what it receives."""
    from tests.smtp_sink import SmtpSink

    sink = SmtpSink().start()
    yield sink
    sink.stop()
