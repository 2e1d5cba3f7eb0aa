"""Webhooks with a real Celery worker on Redis: sent after commit, retried once the sweep finds them due."""

import time

import pytest
from standardwebhooks import Webhook

from eventsys.database import db
from eventsys.registration import services as registration
from eventsys.webhooks import dispatch, services
from eventsys.webhooks.models import DeliveryState
from tests import servers
from tests.conftest import _empty_tables, make_app
from tests.factories import applicant, make_event, make_organiser
from tests.mail.test_worker import _worker, broker  # noqa: F401 - broker is a fixture used below
from tests.webhooks.story import deliveries

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def worker_app(postgresql_url, broker, tmp_path, monkeypatch):  # noqa: F811 - the imported fixture
    """The app on PostgreSQL with Celery on the test's Redis; the worker shares its settings and key."""
    settings = {"DATABASE_URL": postgresql_url, "REDIS_URL": broker["url"], "SECRET_KEY": "test-secret",
                "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true", "BASE_URL": "http://events.test"}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    app = make_app(postgresql_url, MAIL_FILE_DIR=str(tmp_path / "mail"), SECRET_KEY="test-secret")
    app.worker_env = servers.app_environment(**settings)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def private_addresses_allowed():
    """The worker's own setting allows the loopback receiver (worker_app); nothing to change here."""


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        states = [(delivery.state, delivery.attempts) for delivery in deliveries()]
        assert time.monotonic() < deadline, f"timed out; deliveries: {states}"
        time.sleep(0.05)


def test_the_worker_delivers_after_commit_and_again_when_the_sweep_finds_the_retry_due(worker_app, receivers):
    receiver = receivers(500, 200)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    _endpoint, secret = services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    with _worker(worker_app):
        registration.register(event, applicant(1))
        dispatch.flush()
        _wait_for(lambda: [d.attempts for d in deliveries()] == [1])
        [delivery] = deliveries()
        assert delivery.state is DeliveryState.pending
        assert dispatch.sweep(now=delivery.next_attempt_at) == 1  # claimed here, sent by the worker
        _wait_for(lambda: [d.state for d in deliveries()] == [DeliveryState.delivered])
    assert len(receiver.received) == 2
    for request in receiver.received:
        Webhook(secret).verify(request.body, request.headers)
