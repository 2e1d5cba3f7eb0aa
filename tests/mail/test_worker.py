"""The outbox with a real Celery worker on a real Redis and a real SMTP server, including faults."""

import signal
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.config import WORKER_QUEUES
from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.mail import outbox
from eventsys.mail.delivery import RECORD_EVERY
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration import services
from eventsys.registration.emails import enqueue_for_registrations
from eventsys.registration.models import Registration
from eventsys.reminders.services import queue_due_reminders
from tests import servers
from tests.conftest import _empty_tables, make_app
from tests.factories import applicant, make_event

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def broker():
    """A Redis server of this test's own: it can be stopped and started again."""
    servers.require_redis()  # fail (CI) or skip early when Redis is not installed at all
    process, url = servers.start_redis()
    state = {"process": process, "url": url}
    yield state
    servers.stop(state["process"])  # the one running now: a test may have restarted it


#: settings shared by the test's app and the worker process, so both see the same servers
def _settings(postgresql_url: str, broker_url: str, sink) -> dict[str, str]:
    return {
        "DATABASE_URL": postgresql_url,
        "REDIS_URL": broker_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(sink.port),
        "MAIL_DEFAULT_SENDER": "events@astro.example.edu",
        "MAIL_RETRY_BASE_SECONDS": "0.2",
        "MAIL_SWEEP_GRACE_SECONDS": "0",
        "MAIL_SENDING_TIMEOUT_SECONDS": "3",
        "BASE_URL": "http://events.test",
    }


@pytest.fixture
def worker_app(postgresql_url, smtp_sink, broker, tmp_path, monkeypatch):
    """The app on PostgreSQL with Celery on the test's Redis and mail to the SMTP sink."""
    settings = _settings(postgresql_url, broker["url"], smtp_sink)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    app = make_app(postgresql_url, MAIL_FILE_DIR=str(tmp_path / "mail"))
    app.worker_env = servers.app_environment(**settings)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@contextmanager
def _worker(app, concurrency: int = 2):
    """A real `celery -A worker worker` process on both queues, stopped (warm) afterwards."""
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    process = servers.start_process(
        [
            str(servers.VENV_BIN / "celery"),
            "-A",
            "worker",
            "worker",
            "-Q",
            ",".join(WORKER_QUEUES),
            "-P",
            "threads",
            "-c",
            str(concurrency),
            "-n",
            name,
            "--loglevel=INFO",
        ],
        app.worker_env,
    )
    try:
        _wait_for(lambda: "ready." in servers.output_of(process) or process.poll() is not None, 30)
        assert process.poll() is None, servers.output_of(process)
        yield process
    finally:
        servers.stop(process)


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting; outbox: {_states()}")
        time.sleep(0.05)


def _states() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(sa.select(OutboundEmail.state, sa.func.count()).group_by(OutboundEmail.state))
    return {state.value: count for state, count in rows}


def _sweeping(condition):
    """The condition, with a sweep before each look: what beat does every 30 s, done at once."""
    def check():
        outbox.sweep()
        return condition()
    return check


def test_the_worker_delivers_what_registrations_queue(worker_app, smtp_sink):
    event = make_event(capacity=3)
    with _worker(worker_app):
        for n in range(1, 6):
            services.register(event, applicant(n))
        _wait_for(lambda: len(smtp_sink.messages) == 5)
        _wait_for(lambda: _states() == {"sent": 5})
    subjects = sorted(m["Subject"].split(":")[0] for m in smtp_sink.messages)
    assert subjects == ["Registration confirmed"] * 3 + ["Waiting list, number 1", "Waiting list, number 2"]


def test_registrations_succeed_while_redis_is_down_and_their_mail_follows_once(worker_app, smtp_sink, broker):
    event_id = make_event(capacity=None).id
    servers.stop(broker["process"])
    port = int(broker["url"].rsplit(":", 1)[1].split("/")[0])

    errors = []

    def register_range(numbers):
        with worker_app.app_context():  # a session of the thread's own
            for n in numbers:
                try:
                    services.register(db.session.get(Event, event_id), applicant(n))
                except Exception as problem:  # noqa: BLE001 - the assertion below reports it
                    errors.append(problem)

    threads = [
        threading.Thread(target=register_range, args=(range(start, start + 10),))
        for start in range(1, 101, 10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _states() == {"queued": 100}
    # Let the dispatcher's last attempts (each retried once) fail while the broker is still down.
    outbox.flush_dispatch()
    time.sleep(3)

    broker["process"], _ = servers.start_redis(port)
    with _worker(worker_app):
        # The ids the dispatcher thread could not publish wait in the outbox; the sweep hands them over.
        assert outbox.sweep() == 100
        # Each confirmation carries a PDF ticket made at delivery (some 60 ms of the worker's CPU, more
        # on a busy machine): a hundred of them get a minute.
        _wait_for(lambda: _states() == {"sent": 100}, timeout=60)
    assert sorted(smtp_sink.recipients()) == sorted(f"attendee{n}@example.org" for n in range(1, 101))


def test_temporary_refusals_are_retried_until_everything_is_delivered_once(worker_app, smtp_sink):
    smtp_sink.refuse_every_other = True
    event = make_event(capacity=None)
    with _worker(worker_app):
        for n in range(1, 21):
            services.register(event, applicant(n))
        # A retry is a due time in its row: the sweep (beat's, here the test's) hands it to the worker.
        _wait_for(_sweeping(lambda: _states() == {"sent": 20}), timeout=60)
    assert sorted(smtp_sink.recipients()) == sorted(f"attendee{n}@example.org" for n in range(1, 21))
    assert smtp_sink.attempts >= 40, "every other attempt was refused with 451"
    retried = db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.attempts > 1)).all()
    assert retried and all(email.last_error is None for email in retried)


def test_a_permanent_refusal_fails_that_email_with_its_reason_and_spares_the_rest(worker_app, smtp_sink):
    smtp_sink.reject_addresses = {"attendee3@example.org"}
    event = make_event(capacity=None)
    with _worker(worker_app):
        for n in range(1, 6):
            services.register(event, applicant(n))
        _wait_for(lambda: _states() == {"sent": 4, "failed": 1})
    failed = db.session.scalars(
        sa.select(OutboundEmail).where(OutboundEmail.state == EmailState.failed)
    ).one()
    assert failed.recipient == "attendee3@example.org"
    assert failed.last_error.startswith("550")
    assert failed.attempts == 1
    assert sorted(smtp_sink.recipients()) == [f"attendee{n}@example.org" for n in (1, 2, 4, 5)]


def _registrations(event_id: int, count: int) -> None:
    """Many confirmed registrations made days ago, written directly: the test is about mail, not seats."""
    now = utcnow() - timedelta(days=3)
    db.session.execute(
        sa.insert(Registration),
        [
            {
                "event_id": event_id,
                "name": f"Attendee {n}",
                "email": f"attendee{n}@example.org",
                "country": "RU",
                "category": "faculty",
                "answers": {},
                "status": "confirmed",
                "token": f"token-{n}",
                "locale": "en",
                "created_at": now,
                "consented_at": now,
            }
            for n in range(count)
        ],
    )
    db.session.commit()


def test_a_worker_killed_in_the_middle_of_1000_reminders_loses_none_and_repeats_only_what_was_in_flight(
    worker_app, smtp_sink
):
    smtp_sink.delay = 0.004
    event = make_event(capacity=None, starts_at=utcnow() + timedelta(hours=23))  # its 1-day reminder is due
    _registrations(event.id, 1000)
    concurrency = 2
    with _worker(worker_app, concurrency) as first:
        assert queue_due_reminders() == 1000
        _wait_for(lambda: len(smtp_sink.messages) >= 200)
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert len(smtp_sink.messages) < 1000, "the worker was killed in the middle"
    time.sleep(float(worker_app.worker_env["MAIL_SENDING_TIMEOUT_SECONDS"]))
    with _worker(worker_app, concurrency):
        assert outbox.sweep() > 0
        _wait_for(lambda: _states() == {"sent": 1000}, timeout=90)
    assert {m["Subject"].split(" starts")[0] for m in smtp_sink.messages} == {f"Reminder: {event.title}"}
    recipients = smtp_sink.recipients()
    assert set(recipients) == {f"attendee{n}@example.org" for n in range(1000)}
    # Outcomes are written every RECORD_EVERY messages: only those a worker had sent but not yet
    # recorded when it was killed may go twice.
    assert len(recipients) - 1000 <= RECORD_EVERY * concurrency, "only the batch in flight may repeat"


def test_a_redis_outage_while_a_retry_waits_loses_nothing_and_kills_no_worker(worker_app, smtp_sink, broker):
    # The retry waits long enough for Redis to be stopped and started again before it is due.
    worker_app.worker_env["MAIL_RETRY_BASE_SECONDS"] = "4"
    worker_app.config["MAIL_RETRY_BASE_SECONDS"] = 4
    smtp_sink.refuse_next = 1
    event = make_event(capacity=None)
    port = int(broker["url"].rsplit(":", 1)[1].split("/")[0])
    with _worker(worker_app) as worker:
        services.register(event, applicant(1))
        _wait_for(lambda: smtp_sink.attempts == 1 and _states() == {"queued": 1})
        servers.stop(broker["process"])
        time.sleep(6)  # the retry comes due while the broker is away
        broker["process"], _ = servers.start_redis(port)
        time.sleep(3)  # the worker reconnects
        assert worker.poll() is None, servers.output_of(worker)
        _wait_for(_sweeping(lambda: _states() == {"sent": 1}), timeout=60)
        time.sleep(1)
        assert worker.poll() is None, servers.output_of(worker)
    assert smtp_sink.recipients() == ["attendee1@example.org"]
    [email] = db.session.scalars(sa.select(OutboundEmail)).all()
    assert email.attempts == 2 and email.last_error is None


def test_a_redis_outage_in_the_middle_of_a_batch_loses_nothing_and_kills_no_worker(
    worker_app, smtp_sink, broker
):
    smtp_sink.delay = 0.05  # a batch that lasts a few seconds
    event = make_event(capacity=None)
    _registrations(event.id, 60)
    port = int(broker["url"].rsplit(":", 1)[1].split("/")[0])
    with _worker(worker_app) as worker:
        enqueue_for_registrations("reminder", Registration.event_id == event.id, scope="1440m")
        db.session.commit()
        _wait_for(lambda: len(smtp_sink.messages) >= 5)
        servers.stop(broker["process"])
        time.sleep(5)
        broker["process"], _ = servers.start_redis(port)
        time.sleep(3)
        assert worker.poll() is None, servers.output_of(worker)
        _wait_for(_sweeping(lambda: _states() == {"sent": 60}), timeout=60)
        assert worker.poll() is None, servers.output_of(worker)
    assert sorted(smtp_sink.recipients()) == sorted(f"attendee{n}@example.org" for n in range(60))


def test_a_unicode_mailbox_the_server_cannot_take_fails_alone_and_the_batch_goes(worker_app, smtp_sink):
    # The sink offers no SMTPUTF8: josé@ cannot go there, the IDN domain can (as IDNA).
    addresses = ["attendee1@example.org", "josé@example.org", "info@例え.jp", "attendee4@example.org",
                 "attendee5@example.org"]
    event = make_event(capacity=None)
    with _worker(worker_app):
        for n, address in enumerate(addresses, start=1):
            services.register(event, applicant(n, email=address))
        _wait_for(lambda: _states() == {"sent": 4, "failed": 1})
        # Then one message to all of them, as one batch.
        enqueue_for_registrations("reminder", Registration.event_id == event.id, scope="1440m")
        db.session.commit()
        _wait_for(lambda: _states() == {"sent": 8, "failed": 2})
    failed = db.session.scalars(
        sa.select(OutboundEmail).where(OutboundEmail.state == EmailState.failed)
    ).all()
    assert {email.recipient for email in failed} == {"josé@example.org"}
    assert {email.last_error for email in failed} == {
        "the mail server does not accept non-ASCII addresses (SMTPUTF8)"
    }
    assert sorted(smtp_sink.recipients()) == sorted(
        2 * ["attendee1@example.org", "info@xn--r8jz45g.jp", "attendee4@example.org", "attendee5@example.org"]
    )
