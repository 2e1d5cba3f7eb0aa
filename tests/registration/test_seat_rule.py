"""The seat rule under the lock: a freed seat goes to the waiting list first; no interleaving answers 500."""

import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.registration import services
from eventsys.registration.models import Registration, RegistrationStatus
from tests import servers
from tests.factories import applicant, make_event, make_organiser, registration_body
from tests.formpage import read_form


def _fill(event: Event, count: int) -> None:
    for number in range(1, count + 1):
        services.register(event, applicant(number))


def _wait_until_blocked(engine: sa.Engine, answers: list, poster: threading.Thread,
                        timeout: float = 30.0) -> None:
    """Return once some connection of this database waits for a row lock."""
    deadline = time.monotonic() + timeout
    # Autocommit: PostgreSQL takes one snapshot of pg_stat_activity per transaction, so a watcher
    # looping inside one transaction kept seeing the moment before the registration arrived, and
    # failed under load whenever the registration was not blocked yet at the first look.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
        while time.monotonic() < deadline:
            if answers:
                raise AssertionError(f"the registration answered without waiting: "
                                     f"{answers[0].status_code} {answers[0].get_data(as_text=True)}")
            waiting = watcher.scalar(sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ))
            if waiting:
                return
            time.sleep(0.02)
        activity = watcher.execute(sa.text(
            "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity "
            "WHERE datname = current_database()")).all()
    stack = "".join(traceback.format_stack(sys._current_frames()[poster.ident]))
    raise AssertionError(f"the registration never waited for the event's lock:\n{activity}\n{stack}")


def _post_while_the_row_is_held(client, event: Event, changes: list[str], body: dict):
    """POST a registration while another transaction holds the event row with changes, then commit it."""
    path = f"/api/v1/events/{event.slug}/registrations"
    holder = db.engine.connect()
    transaction = holder.begin()
    for change in changes:
        holder.execute(sa.text(change), {"id": event.id})
    answers = []
    poster = threading.Thread(target=lambda: answers.append(
        client.post(path, json=body)))
    poster.start()
    try:
        _wait_until_blocked(db.engine, answers, poster)
    finally:
        transaction.commit()
        holder.close()
        poster.join(30)
    return answers[0]


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_seat_raised_while_a_registration_waits_for_the_lock_is_taken_without_error(app, client):
    event = make_event(capacity=3)
    _fill(event, 3)

    answer = _post_while_the_row_is_held(
        client, event, ["UPDATE event SET capacity = 4 WHERE id = :id"], registration_body(10))

    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["status"] == "confirmed"
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.capacity, event.confirmed_count, event.waitlisted_count) == (4, 4, 0)


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_seat_freed_by_a_cancellation_while_a_registration_waits_goes_to_the_first_waiting(app, client):
    event = make_event(capacity=2)
    _fill(event, 3)  # two seats, one waiting
    first_seat = db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id)
                                    .order_by(Registration.id)).first()

    # What cancelling does under the lock (a seat freed and given to the one waiting), held open.
    answer = _post_while_the_row_is_held(client, event, [
        "UPDATE event SET waitlisted_count = waitlisted_count - 1 WHERE id = :id",
        f"UPDATE registration SET status = 'cancelled' WHERE id = {first_seat.id}",
        "UPDATE registration SET status = 'confirmed' WHERE event_id = :id AND status = 'waitlisted'",
    ], registration_body(10))

    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert (answer.get_json()["status"], answer.get_json()["position"]) == ("waitlisted", 1)


@pytest.mark.parametrize("app", ["sqlite", "postgresql"], indirect=True)
def test_a_newcomer_joins_the_waiting_list_while_anyone_waits_even_with_a_seat_free(app, client):
    """A seat free beside a waiting list (only mid-way through an organiser's change) is not a newcomer's."""
    event = make_event(capacity=1)
    _fill(event, 2)
    # The state between raising the capacity and promoting, had they been two transactions.
    db.session.execute(sa.update(Event).where(Event.id == event.id).values(capacity=2))
    db.session.commit()

    answer = client.post(f"/api/v1/events/{event.slug}/registrations", json=registration_body(10))

    assert (answer.get_json()["status"], answer.get_json()["position"]) == ("waitlisted", 2)


def _edit_form_values(event: Event, capacity: int) -> dict:
    """The edit form's fields a browser sends besides the page's own inputs, with a new capacity."""
    local = {name: getattr(event, name).astimezone(event.zone).strftime("%Y-%m-%dT%H:%M")
             for name in ("starts_at", "ends_at")}
    return {"kind": event.kind.value, "mode": event.mode.value, "timezone": event.timezone,
            "summary": event.summary, "description": "", "language": "en", "capacity": str(capacity), **local}


def _raise_capacity_through_the_form(base_url: str, event_id: int, changes: dict, barrier) -> int:
    with httpx.Client(base_url=base_url, timeout=60, follow_redirects=False) as browser:
        login = read_form(browser.get("/login").text).fields["csrf_token"]
        browser.post("/login", data={"csrf_token": login, "email": "desk@example.org",
                                     "password": "correct horse battery"})
        page = browser.get(f"/manage/events/{event_id}/edit")
        form = {**read_form(page.text).fields, **changes}
        barrier.wait()
        return browser.post(f"/manage/events/{event_id}/edit", data=form).status_code


@pytest.mark.slow
@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_raising_capacity_under_twenty_registrations_gives_the_new_seats_to_the_waiting_list(app):
    event = make_event(capacity=10)
    _fill(event, 30)  # 10 seats, waiting-list numbers 1..20
    make_organiser("desk@example.org", event)
    event_id, slug = event.id, event.slug
    originals = {f"attendee{number}@example.org" for number in range(1, 31)}
    env = servers.app_environment(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    process, base_url = servers.start_gunicorn(env, workers=2, threads=16)
    try:
        barrier = threading.Barrier(21, timeout=60)
        changes = _edit_form_values(event, 15)
        edited = threading.Event()

        def keep_registering(thread: int) -> list[int]:
            """Register newcomer after newcomer until the edit is saved (and one more), at most 25."""
            statuses = []
            with httpx.Client(base_url=base_url, timeout=60) as client:
                barrier.wait()
                for number in range(thread * 100, thread * 100 + 25):
                    statuses.append(client.post(f"/api/v1/events/{slug}/registrations",
                                                json=registration_body(number)).status_code)
                    if edited.is_set():
                        break
            return statuses

        def edit() -> int:
            try:
                return _raise_capacity_through_the_form(base_url, event_id, changes, barrier)
            finally:
                edited.set()

        with ThreadPoolExecutor(max_workers=21) as pool:
            raised = pool.submit(edit)
            statuses = [status for thread in pool.map(keep_registering, range(1, 21)) for status in thread]
        assert raised.result() == 303, servers.output_of(process)
        assert set(statuses) == {201}, servers.output_of(process)
    finally:
        servers.stop(process)

    db.session.expire_all()
    people = list(db.session.scalars(sa.select(Registration).where(Registration.event_id == event_id)))
    moved_up = sorted(r.waitlist_number for r in people
                      if r.status is RegistrationStatus.confirmed and r.waitlist_number is not None)
    newcomers = [r for r in people if r.email not in originals]
    assert moved_up == [1, 2, 3, 4, 5]
    assert len(newcomers) == len(statuses)
    assert {r.status for r in newcomers} == {RegistrationStatus.waitlisted}
    event = db.session.get(Event, event_id)
    assert (event.confirmed_count, event.waitlisted_count) == (15, 15 + len(statuses))
