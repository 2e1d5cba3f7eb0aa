"""The organisers' banner says when mail is not going out: a silent worker, or an email waiting too long."""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.mail import health
from eventsys.mail.models import EmailState, OutboundEmail, WorkerHeartbeat
from tests.factories import make_event, make_organiser, sign_in
from tests.mail.test_worker import _worker, broker, worker_app  # noqa: F401 - broker and worker_app are fixtures

BANNER = 'id="mail-banner"'


def _home_of_signed_in_organiser(app) -> str:
    """The workspace's first page as an organiser sees it."""
    make_organiser("organiser@example.org", make_event())
    client = app.test_client()
    sign_in(client, "organiser@example.org")
    return lambda: client.get("/manage/").get_data(as_text=True)


def _heartbeats() -> list[WorkerHeartbeat]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(WorkerHeartbeat)))


def _overdue_email(minutes: float) -> None:
    """A queued email due that many minutes ago, written without handing it to delivery."""
    due = utcnow() - timedelta(minutes=minutes)
    db.session.add(OutboundEmail(kind="reminder", recipient="someone@example.org",
                                 idempotency_key=f"late:{minutes}", state=EmailState.queued,
                                 next_attempt_at=due, created_at=due))
    db.session.commit()


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres
def test_a_running_worker_keeps_the_banner_away_and_a_silent_one_brings_it_back(worker_app):  # noqa: F811 - the imported fixture
    home = _home_of_signed_in_organiser(worker_app)
    assert worker_app.config["REDIS_URL"], "the app hands mail to a worker"
    page = home()
    assert BANNER in page and "the sending service has never reported." in page

    with _worker(worker_app) as process:
        deadline = time.monotonic() + 5
        while not _heartbeats():
            assert time.monotonic() < deadline, "no heartbeat within 5 seconds of the worker being ready"
            assert process.poll() is None
            time.sleep(0.1)
        [beat] = _heartbeats()
        assert beat.worker.startswith("test-") and utcnow() - beat.seen_at < timedelta(seconds=10)
        assert BANNER not in home()

    # The worker is stopped; rather than wait two minutes, its last heartbeat is made three minutes old.
    db.session.execute(sa.update(WorkerHeartbeat).values(seen_at=utcnow() - timedelta(minutes=3)))
    db.session.commit()
    page = home()
    assert BANNER in page and "the sending service has not reported since" in page
    assert "The oldest email" not in page


def test_the_in_process_mode_expects_no_worker(app):
    home = _home_of_signed_in_organiser(app)
    assert app.config["REDIS_URL"] is None
    assert BANNER not in home(), "no worker has ever run, and none is needed"
    health.record_heartbeat("celery@old-host", utcnow() - timedelta(days=3))
    assert BANNER not in home(), "a worker that ran once and stopped is no reason either"


def test_in_the_in_process_mode_an_email_waiting_over_five_minutes_brings_the_banner(app):
    home = _home_of_signed_in_organiser(app)
    _overdue_email(4)
    assert BANNER not in home()
    _overdue_email(6)
    page = home()
    assert BANNER in page and "The oldest email has been waiting since" in page
    assert "sending service" not in page


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres
def test_with_a_live_worker_an_email_waiting_over_five_minutes_still_brings_the_banner(worker_app):  # noqa: F811 - the imported fixture
    home = _home_of_signed_in_organiser(worker_app)
    health.record_heartbeat("celery@busy-host")
    assert BANNER not in home()
    _overdue_email(6)
    page = home()
    assert BANNER in page and "The oldest email has been waiting since" in page
    assert "sending service" not in page


def test_workers_gone_for_a_week_are_forgotten_when_another_beats(app):
    """Each container's worker has a name of its own: without this the table grows with every deploy."""
    health.record_heartbeat("celery@replaced-last-month", utcnow() - timedelta(days=8))
    health.record_heartbeat("celery@restarted-yesterday", utcnow() - timedelta(days=1))

    health.record_heartbeat("celery@running")

    names = set(db.session.scalars(sa.select(WorkerHeartbeat.worker)))
    assert names == {"celery@restarted-yesterday", "celery@running"}
