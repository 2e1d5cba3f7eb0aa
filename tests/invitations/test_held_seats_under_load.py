"""Held seats while everyone registers at once, against a real gunicorn server and database.

Invitees always get the seats held for them; the public never does, however the
requests interleave. Then the invitations that nobody answers run out, and their
seats go to the people waiting, in the order they came.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.invitations import periodic, services
from eventsys.invitations.emails import invitation_url
from eventsys.invitations.invitees import Invitee
from eventsys.invitations.models import Invitation, InvitationStatus
from eventsys.registration.models import Registration, RegistrationStatus
from tests import servers
from tests.factories import make_event, registration_body

pytestmark = pytest.mark.slow

CAPACITY, INVITEES, ANSWERING, PUBLIC = 10, 6, 4, 24


def _register_as_invitee(base_url: str, path: str, barrier: threading.Barrier) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        page = client.get(path)
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        if found is None:
            barrier.abort()
            raise AssertionError(f"{page.status_code}: {page.text[:2000]}")
        token = found.group(1)
        barrier.wait()
        return client.post(path, data={"csrf_token": token, "name": "Invited Guest", "country": "KZ",
                                       "category": "faculty", "consent": "y"})


def _register_as_public(base_url: str, slug: str, number: int, barrier: threading.Barrier) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        barrier.wait()
        return client.post(f"/api/v1/events/{slug}/registrations", json=registration_body(number))


@pytest.mark.parametrize("app", ["postgresql", "sqlite"], indirect=True)
def test_invitees_always_get_their_held_seats_and_the_public_never_does(app):
    event = make_event(capacity=CAPACITY)
    deadline = utcnow() + timedelta(days=3)
    services.invite(event.id, [Invitee(f"Guest {n}", f"guest{n}@example.org") for n in range(INVITEES)],
                    services.BatchOptions(holds_seats=True, deadline=deadline))
    invitations = db.session.scalars(sa.select(Invitation).order_by(Invitation.id)).all()
    with app.test_request_context():
        paths = [invitation_url(i.id).removeprefix("http://events.test") for i in invitations[:ANSWERING]]
    # The server signs and reads links with the test app's key.
    env = servers.app_environment(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                                  SECRET_KEY=app.config["SECRET_KEY"])
    process, base_url = servers.start_gunicorn(env, workers=3, threads=16)
    try:
        barrier = threading.Barrier(ANSWERING + PUBLIC, timeout=60)
        with ThreadPoolExecutor(max_workers=ANSWERING + PUBLIC) as pool:
            invited = [pool.submit(_register_as_invitee, base_url, path, barrier) for path in paths]
            public = [pool.submit(_register_as_public, base_url, event.slug, n, barrier)
                      for n in range(1, PUBLIC + 1)]
            invited, public = [f.result() for f in invited], [f.result() for f in public]
    finally:
        servers.stop(process)

    assert [r.status_code for r in invited] == [303] * ANSWERING, servers.output_of(process)
    assert [r.status_code for r in public] == [201] * PUBLIC, servers.output_of(process)[-5000:]
    answers = [r.json() for r in public]
    free_for_public = CAPACITY - INVITEES
    assert sum(a["status"] == "confirmed" for a in answers) == free_for_public
    assert sorted(a["position"] for a in answers if a["status"] == "waitlisted") == list(
        range(1, PUBLIC - free_for_public + 1))
    db.session.expire_all()
    guests = db.session.scalars(sa.select(Registration).where(Registration.email.like("guest%"))).all()
    assert len(guests) == ANSWERING and {g.status for g in guests} == {RegistrationStatus.confirmed}
    event = db.session.get(Event, event.id)
    unanswered = INVITEES - ANSWERING
    assert (event.confirmed_count, event.held_count) == (free_for_public + ANSWERING, unanswered)
    assert event.waitlisted_count == PUBLIC - free_for_public

    # The two who never answered run out; their seats go to the first two waiting, in order.
    first_waiting = sorted((a for a in answers if a["status"] == "waitlisted"), key=lambda a: a["position"])
    assert periodic.expire_due(now=deadline) == unanswered
    db.session.expire_all()
    by_token = {r.token: r for r in db.session.scalars(sa.select(Registration))}
    assert [by_token[a["token"]].status for a in first_waiting[:3]] == [
        RegistrationStatus.confirmed, RegistrationStatus.confirmed, RegistrationStatus.waitlisted]
    event = db.session.get(Event, event.id)
    assert (event.confirmed_count, event.held_count) == (CAPACITY, 0)
    assert set(db.session.scalars(sa.select(Invitation.status))) == {InvitationStatus.registered,
                                                                      InvitationStatus.expired}
