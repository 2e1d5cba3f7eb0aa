"""The embedded default does beat's work by itself: `flask run` without Redis reminds and retries, no cron.

Each test serves eventsys as `make run` does (`flask --app eventsys run`, SQLite, no
REDIS_URL) as a real process, on a fresh database migrated with `flask db upgrade`.
The scheduler's interval is set to a second or two so the tests need not wait half
a minute; the default is 30 s.
"""

import os
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from eventsys.config import BEAT_SCHEDULE
from eventsys.database import db, utcnow
from eventsys.embedded_scheduler import EXTENSION
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.periodic import PERIODIC_WORK
from eventsys.registration.models import Registration
from tests import servers
from tests.conftest import make_app
from tests.factories import make_event, registration_body

FLASK = [str(servers.VENV_BIN / "flask"), "--app", "eventsys"]
#: the log line the scheduler writes when it starts, once per process that runs it
STARTED = "embedded scheduler started"


class Site:
    """A fresh embedded-default site in a temporary folder: its database, mail folder and environment."""

    def __init__(self, folder: Path, **settings: str):
        self.database_url = f"sqlite:///{folder / 'eventsys.db'}"
        self.mail_dir = folder / "mail"
        self.env = servers.app_environment(DATABASE_URL=self.database_url, MAIL_FILE_DIR=str(self.mail_dir),
                                           EMBEDDED_SCHEDULER_SECONDS="1", **settings)
        self.env.pop("EMBEDDED_SCHEDULER", None)
        migrated = subprocess.run([*FLASK, "db", "upgrade"], cwd=servers.ROOT, env=self.env,
                                  capture_output=True, text=True, timeout=120)
        assert migrated.returncode == 0, migrated.stderr

    def app(self):
        """An app on the site's database, for writing the story before the server starts."""
        return make_app(self.database_url, MAIL_FILE_DIR=str(self.mail_dir))

    def serve(self, *options: str) -> tuple[subprocess.Popen, str]:
        """`flask run` on a free port, as `make run` starts it; returns the process and its address.

        In a session of its own, so that stop() also ends the reloader's child.
        """
        port = servers.free_port()
        log = tempfile.NamedTemporaryFile("w", prefix="eventsys-", suffix=".log", delete=False)
        process = subprocess.Popen([*FLASK, "run", "--host", "127.0.0.1", "--port", str(port), *options],
                                   cwd=servers.ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        process.args_log = log.name
        log.close()
        base_url = f"http://127.0.0.1:{port}"
        servers.wait_for_http(base_url + "/api/v1/events", process)
        return process, base_url

    def emails(self) -> list[str]:
        """The .eml files written so far, as text."""
        return [path.read_text(errors="replace") for path in sorted(self.mail_dir.glob("*.eml"))]


def stop(process: subprocess.Popen) -> None:
    """End the server and whatever it started (the reloader's child), by its process group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for(condition, timeout: float, process: subprocess.Popen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        assert process.poll() is None, servers.output_of(process)
        time.sleep(0.25)
    return condition()


def _email_state() -> EmailState | None:
    """The state of the only outbox row, as it is now in the database."""
    db.session.rollback()  # a fresh read each time, not the session's cached row
    return db.session.scalar(sa.select(OutboundEmail.state))


def _registrant_whose_reminder_is_due(app) -> str:
    """A published event in 23 hours, with someone confirmed for days: the 1-day reminder is due."""
    with app.app_context():
        event = make_event(title="Forum on Space Robotics", starts_at=utcnow() + timedelta(hours=23))
        long_ago = utcnow() - timedelta(days=3)
        db.session.execute(sa.insert(Registration), [{
            "event_id": event.id, "name": "Olga Petrova", "email": "olga@example.org", "country": "RU",
            "category": "faculty", "answers": {}, "status": "confirmed", "token": "token-olga",
            "locale": "en", "created_at": long_ago, "consented_at": long_ago,
        }])
        db.session.commit()
        slug = event.slug
        db.engine.dispose()
    return slug


def test_it_runs_every_task_beat_runs():
    assert set(PERIODIC_WORK) == {entry["task"] for entry in BEAT_SCHEDULE.values()}


def test_tests_apps_have_none_unless_they_ask(app):
    assert EXTENSION not in app.extensions


def test_a_failing_round_does_not_end_the_thread_and_stop_ends_it(tmp_path):
    # A database without tables: every round fails, as it would while the database is away.
    asked = make_app(f"sqlite:///{tmp_path / 'empty.db'}", EMBEDDED_SCHEDULER="on",
                     EMBEDDED_SCHEDULER_SECONDS=0.05)
    scheduler = asked.extensions[EXTENSION]
    try:
        time.sleep(0.5)
        assert scheduler.is_alive()
    finally:
        scheduler.stop()
    assert not scheduler.is_alive()


@pytest.mark.slow
def test_flask_run_without_redis_sends_a_due_reminder_by_itself(tmp_path):
    site = Site(tmp_path)
    _registrant_whose_reminder_is_due(site.app())
    process, _ = site.serve()
    try:
        reminders = _wait_for(lambda: [m for m in site.emails() if "Subject: Reminder" in m], 60, process)
        assert reminders, servers.output_of(process)
        assert "To: olga@example.org" in reminders[0]
        assert servers.output_of(process).count(STARTED) == 1
    finally:
        stop(process)


@pytest.mark.slow
def test_flask_run_without_redis_retries_a_temporary_mail_failure(tmp_path, smtp_sink):
    smtp_sink.refuse_every_other = True  # 451 to the first attempt, the second is accepted
    site = Site(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_sink.port),
                MAIL_RETRY_BASE_SECONDS="1", MAIL_SWEEP_GRACE_SECONDS="1")
    with site.app().app_context():
        slug = make_event(title="Symposium on Smart Materials").slug
        db.engine.dispose()
    process, base_url = site.serve()
    try:
        answer = httpx.post(f"{base_url}/api/v1/events/{slug}/registrations", json=registration_body(1),
                            timeout=30)
        assert answer.status_code == 201, answer.text
        received = _wait_for(lambda: smtp_sink.to("attendee1@example.org"), 60, process)
        assert received, (smtp_sink.attempts, servers.output_of(process))
        # The outcome is written just after the server's answer: wait for it before stopping the process.
        with site.app().app_context():
            recorded = _wait_for(lambda: _email_state() is EmailState.sent, 10, process)
            email = db.session.scalars(sa.select(OutboundEmail)).one()
            assert recorded and (email.state, email.attempts) == (EmailState.sent, 2)
            db.engine.dispose()
        assert smtp_sink.attempts == 2
    finally:
        stop(process)


@pytest.mark.slow
def test_ticks_every_fraction_of_a_second_do_not_break_registrations_on_sqlite(tmp_path):
    site = Site(tmp_path)
    site.env["EMBEDDED_SCHEDULER_SECONDS"] = "0.05"
    slug = _registrant_whose_reminder_is_due(site.app())
    process, base_url = site.serve()
    try:
        def register(number: int) -> int:
            body = registration_body(number, email=f"person{number}@example.org")
            answer = httpx.post(f"{base_url}/api/v1/events/{slug}/registrations", json=body, timeout=60)
            return answer.status_code

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(register, range(2, 82)))
        assert answers == [201] * 80, servers.output_of(process)
        assert "Traceback" not in servers.output_of(process)
    finally:
        stop(process)


@pytest.mark.slow
def test_with_the_reloader_only_the_serving_child_runs_the_scheduler(tmp_path):
    site = Site(tmp_path)
    process, _ = site.serve("--reload")
    try:
        assert _wait_for(lambda: STARTED in servers.output_of(process), 30, process)
        time.sleep(2)  # time enough for a second scheduler to say it started, were there one
        assert servers.output_of(process).count(STARTED) == 1
    finally:
        stop(process)


@pytest.mark.slow
@pytest.mark.parametrize("command", [["db", "upgrade"], ["seed-demo"], ["tick"], ["routes"]])
def test_other_commands_do_not_start_it(tmp_path, command):
    site = Site(tmp_path)
    finished = subprocess.run([*FLASK, *command], cwd=servers.ROOT, env=site.env, capture_output=True,
                              text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert STARTED not in finished.stdout + finished.stderr


@pytest.mark.slow
def test_not_with_a_broker(tmp_path):
    site = Site(tmp_path, REDIS_URL=servers.require_redis())
    process, _ = site.serve()
    try:
        time.sleep(2)
        assert STARTED not in servers.output_of(process)
    finally:
        stop(process)
