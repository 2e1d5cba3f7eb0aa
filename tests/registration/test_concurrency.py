"""Many people registering at the same moment, against a real gunicorn server."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.registration.models import Registration, RegistrationStatus
from tests import servers
from tests.factories import make_event, registration_body

pytestmark = pytest.mark.slow


def _register_all_at_once(base_url: str, slug: str, count: int) -> list[httpx.Response]:
    """Send count registrations released together by a barrier, one thread each."""
    barrier = threading.Barrier(count)

    def register(number: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            body = registration_body(number)
            barrier.wait()
            return client.post(f"/api/v1/events/{slug}/registrations", json=body)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(register, range(1, count + 1)))


def _cancel_through_page(base_url: str, token: str) -> httpx.Response:
    """Cancel as the attendee does: open the self-service page, press the button."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        page = client.get(f"/r/{token}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return client.post(f"/r/{token}/cancel", data={"csrf_token": csrf})


def _check_seats(event_id: int, capacity: int, total: int, cancelled: int = 0) -> list[Registration]:
    db.session.expire_all()
    event = db.session.get(Event, event_id)
    registrations = list(db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)
    ))
    confirmed = [r for r in registrations if r.status is RegistrationStatus.confirmed]
    waitlisted = [r for r in registrations if r.status is RegistrationStatus.waitlisted]
    assert len(registrations) == total
    assert len(confirmed) == event.confirmed_count == capacity
    assert len(waitlisted) == event.waitlisted_count == total - capacity - cancelled
    return registrations


@pytest.mark.parametrize(("app", "total", "capacity"), [("postgresql", 200, 50), ("sqlite", 80, 20)],
                         indirect=["app"])
def test_simultaneous_registrations_never_overbook_and_queue_without_gaps(app, total, capacity):
    event = make_event(capacity=capacity)
    env = servers.app_environment(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    process, base_url = servers.start_gunicorn(env, workers=4, threads=16)
    try:
        responses = _register_all_at_once(base_url, event.slug, total)
        assert [r.status_code for r in responses if r.status_code != 201] == [], servers.output_of(process)
        answers = [r.json() for r in responses]
        assert sum(a["status"] == "confirmed" for a in answers) == capacity
        waiting = sorted(a["position"] for a in answers if a["status"] == "waitlisted")
        assert waiting == list(range(1, total - capacity + 1))
        registrations = _check_seats(event.id, capacity, total)

        by_token = {r.token: r for r in registrations}
        first_waiting = sorted((a for a in answers if a["status"] == "waitlisted"),
                               key=lambda a: a["position"])[:5]
        to_cancel = [a["token"] for a in answers if a["status"] == "confirmed"][:5]
        with ThreadPoolExecutor(max_workers=5) as pool:
            cancelled = list(pool.map(lambda token: _cancel_through_page(base_url, token), to_cancel))
        assert [r.status_code for r in cancelled] == [303] * 5

        _check_seats(event.id, capacity, total, cancelled=5)
        assert {by_token[t].status for t in to_cancel} == {RegistrationStatus.cancelled}
        assert {by_token[a["token"]].status for a in first_waiting} == {RegistrationStatus.confirmed}
        with httpx.Client(base_url=base_url) as client:
            assert "Your seat is confirmed" in client.get(f"/r/{first_waiting[0]['token']}").text
            next_in_line = client.get(f"/r/{answers[-1]['token']}")
        assert "Your seat is confirmed" in next_in_line.text or "waiting list" in next_in_line.text
    finally:
        servers.stop(process)
