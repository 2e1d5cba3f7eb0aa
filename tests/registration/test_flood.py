"""A script flooding the public API of a real gunicorn, the limits' counters in a real Redis."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.mail.models import OutboundEmail
from eventsys.registration.models import Registration
from tests import servers
from tests.factories import make_event, registration_body

pytestmark = pytest.mark.slow

PER_ADDRESS = 10


@pytest.fixture
def limited_server(request):
    """gunicorn (2 processes) on the test's PostgreSQL, behind one trusted proxy, with its own Redis."""
    app = request.getfixturevalue("app")
    redis_process, redis_url = servers.start_redis()
    env = servers.app_environment(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=redis_url, TRUSTED_PROXIES="1",
        REGISTRATION_RATE_LIMIT=f"{PER_ADDRESS} per minute", REGISTRATION_MAILBOX_LIMIT="3",
    )
    process, base_url = servers.start_gunicorn(env, workers=2, threads=8)
    try:
        yield base_url
    finally:
        servers.stop(process)
        servers.stop(redis_process)


def _flood(base_url: str, slug: str, seconds: float, threads: int = 6) -> list[httpx.Response]:
    """threads clients posting made-up addresses as fast as they can, all from one address."""
    deadline = time.monotonic() + seconds

    def client(thread: int) -> list[httpx.Response]:
        answers = []
        with httpx.Client(base_url=base_url, timeout=30,
                          headers={"X-Forwarded-For": "203.0.113.66"}) as http:
            number = 0
            while time.monotonic() < deadline:
                number += 1
                body = registration_body(thread * 100_000 + number, email=f"bot{thread}-{number}@example.net")
                answers.append(http.post(f"/api/v1/events/{slug}/registrations", json=body))
        return answers

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [answer for answers in pool.map(client, range(threads)) for answer in answers]


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_flood_gets_its_share_and_then_429s_while_a_person_still_registers(app, limited_server):
    event = make_event(capacity=300)

    answers = _flood(limited_server, event.slug, seconds=3)

    statuses = [a.status_code for a in answers]
    assert statuses.count(201) == PER_ADDRESS, set(statuses)
    assert set(statuses) == {201, 429}
    refused = [a for a in answers if a.status_code == 429]
    assert all(int(a.headers["Retry-After"]) > 0 for a in refused)
    assert all(a.json()["errors"]["request"][0].startswith("Too many registrations from your address")
               for a in refused)
    assert _count(Registration, Registration.event_id == event.id) == PER_ADDRESS
    assert _count(OutboundEmail) == PER_ADDRESS

    person = httpx.post(f"{limited_server}/api/v1/events/{event.slug}/registrations",
                        json=registration_body(1, email="real.person@example.org"),
                        headers={"X-Forwarded-For": "198.51.100.7"})
    assert person.status_code == 201
    assert person.json()["status"] == "confirmed"


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_plus_addresses_of_one_mailbox_are_throttled_across_events(app, limited_server):
    events = [make_event(capacity=10) for _ in range(5)]
    answers = [
        httpx.post(f"{limited_server}/api/v1/events/{event.slug}/registrations",
                   json=registration_body(n, email=f"victim+{n}@example.org"),
                   headers={"X-Forwarded-For": f"198.51.100.{n + 1}"})
        for n, event in enumerate(events)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]
    assert _count(OutboundEmail) == 3


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_bot_filling_the_honeypot_is_refused(app, limited_server):
    event = make_event(capacity=10)
    with httpx.Client(base_url=limited_server, headers={"X-Forwarded-For": "192.0.2.9"}) as browser:
        page = browser.get(f"/events/{event.slug}/register")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        answer = browser.post(f"/events/{event.slug}/register", data={
            "name": "Bot", "email": "bot@example.net", "country": "JP", "category": "student",
            "consent": "y", "website": "http://spam.example", "csrf_token": token})
    assert answer.status_code == 422
    assert _count(Registration) == 0


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_flood_on_an_event_that_verifies_addresses_holds_nothing_and_a_person_s_click_gets_the_seat(
        app, limited_server):
    event = make_event(capacity=300, verify_emails=True)

    answers = _flood(limited_server, event.slug, seconds=3)

    statuses = [a.status_code for a in answers]
    assert statuses.count(202) == PER_ADDRESS and set(statuses) == {202, 429}
    assert all(a.json()["status"] == "unverified" for a in answers if a.status_code == 202)
    # Made-up addresses never click: no seat, no waiting-list place, no registration.
    assert _count(Registration) == 0
    db.session.expire_all()
    saved = db.session.get(Event, event.id)
    assert (saved.confirmed_count, saved.waitlisted_count) == (0, 0)

    person = httpx.post(f"{limited_server}/api/v1/events/{event.slug}/registrations",
                        json=registration_body(1, email="real.person@example.org"),
                        headers={"X-Forwarded-For": "198.51.100.7"})
    assert person.status_code == 202
    clicked = httpx.get(limited_server + _confirmation_path("real.person@example.org"))
    assert clicked.status_code == 303
    assert "Your seat is confirmed." in httpx.get(limited_server + clicked.headers["location"]).text


def _confirmation_path(address: str) -> str:
    """The path of the link in the verification email to address (its row in the outbox)."""
    db.session.expire_all()
    url = db.session.scalars(sa.select(OutboundEmail.context).where(
        OutboundEmail.recipient == address, OutboundEmail.kind == "registration_verify")).one()["verify_url"]
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_clicks_arriving_together_take_seats_in_the_order_the_database_serves_them_without_overbooking(
        app, limited_server):
    event = make_event(capacity=10, verify_emails=True)
    people = [f"person{n}@example.org" for n in range(30)]
    for n, address in enumerate(people):
        answer = httpx.post(f"{limited_server}/api/v1/events/{event.slug}/registrations",
                            json=registration_body(n, email=address),
                            headers={"X-Forwarded-For": f"198.51.100.{n + 1}"})
        assert answer.status_code == 202
    paths = [_confirmation_path(address) for address in people]

    # Every link clicked twice, all at once (people double-click, and mail scanners open links too).
    with httpx.Client(base_url=limited_server, timeout=30) as http, \
            ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda path: http.get(path), paths + paths[::-1]))

    assert {a.status_code for a in answers} == {303}
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id)).all()
    assert sorted(r.email for r in rows) == sorted(people), "one registration per person"
    by_status = {status: [r for r in rows if r.status.value == status]
                 for status in ("confirmed", "waitlisted")}
    assert len(by_status["confirmed"]) == 10 and len(by_status["waitlisted"]) == 20
    assert sorted(r.waitlist_number for r in by_status["waitlisted"]) == list(range(1, 21))
    saved = db.session.get(Event, event.id)
    assert (saved.confirmed_count, saved.waitlisted_count) == (10, 20)
    first_emails = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundEmail).where(
        OutboundEmail.kind.in_(["registration_confirmed", "registration_waitlisted"])))
    assert first_emails == 30, "each person is told their place once"
    # Both clicks of one link lead to the same page.
    for path, again in zip(paths, answers[len(paths):][::-1], strict=True):
        assert again.headers["location"] == answers[paths.index(path)].headers["location"]
