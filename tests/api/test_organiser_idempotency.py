"""A write repeated with its Idempotency-Key runs once: the first answer comes back, nothing is done twice."""

import threading
import time
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa

from eventsys.api import idempotency
from eventsys.api.models import IdempotentRequest
from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.periodic import PERIODIC_WORK
from eventsys.registration.models import Registration
from tests.api.organiser import call
from tests.conftest import both_databases
from tests.factories import make_event, make_organiser, make_token

BODY = {"name": "Anna Petrova", "email": "anna@example.org", "country": "RU", "category": "faculty"}


def _registrations(event) -> str:
    return f"/api/v1/manage/events/{event.id}/registrations"


def _count(model) -> int:
    db.session.commit()  # a fresh look, on PostgreSQL too
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@both_databases
def test_a_repeated_key_gets_the_first_answer_and_changes_nothing(app, client):
    event = make_event()
    token = make_token(make_organiser("li.wei@example.org", event))
    first = call(client, "POST", _registrations(event), token, BODY, **{"Idempotency-Key": "add-anna-1"})
    again = call(client, "POST", _registrations(event), token, BODY, **{"Idempotency-Key": "add-anna-1"})
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert _count(Registration) == 1

    # Without a key, or with another, the same request is a request of its own.
    assert call(client, "POST", _registrations(event), token, BODY).status_code == 409
    created = call(client, "POST", "/api/v1/manage/events", token, {
        "kind": "lecture", "mode": "online", "title": "Twice?", "timezone": "UTC",
        "starts_at": "2030-01-01T10:00:00+00:00", "ends_at": "2030-01-01T11:00:00+00:00"},
        **{"Idempotency-Key": "add-anna-1"})
    assert created.status_code == 422 and list(created.json["errors"]) == ["idempotency_key"]
    assert _count(Event) == 1


def test_the_same_key_with_another_request_is_refused_and_an_invalid_request_keeps_no_answer(app, client):
    event = make_event()
    token = make_token(make_organiser("li.wei@example.org", event))
    key = {"Idempotency-Key": "3f1c9a70-5b1e-4c47-9b7b-4f1d2f0e9a11"}
    invalid = call(client, "POST", _registrations(event), token, BODY | {"country": "Narnia"}, **key)
    assert invalid.status_code == 422
    # Nothing was written for the invalid one: the key may be sent again with the request corrected.
    corrected = call(client, "POST", _registrations(event), token, BODY, **key)
    assert corrected.status_code == 201
    other = call(client, "POST", _registrations(event), token, BODY | {"email": "boris@example.org"}, **key)
    assert other.status_code == 422
    assert other.json == {"errors": {"idempotency_key": [
        "This key was used for another request in the last 24 hours: use a new key for each request."]}}
    assert _count(Registration) == 1

    for bad in ("", "with space", "x" * 201, "ключ"):
        refused = call(client, "POST", _registrations(event), token, BODY, **{"Idempotency-Key": bad})
        assert refused.status_code == 422 and list(refused.json["errors"]) == ["idempotency_key"], bad


def test_keys_are_each_organisers_own_and_expire_after_a_day(app, client):
    event = make_event(capacity=None)
    mine = make_organiser("li.wei@example.org", event)
    token, colleague = make_token(mine), make_token(make_organiser("ivanov@example.org", event))
    key = {"Idempotency-Key": "nightly-1"}
    assert call(client, "POST", _registrations(event), token, BODY, **key).status_code == 201
    # A colleague's key of the same name is theirs: their request runs (and meets the rule).
    assert call(client, "POST", _registrations(event), colleague, BODY, **key).status_code == 409
    # The same organiser's other token shares the keys.
    replayed = call(client, "POST", _registrations(event), make_token(mine, name="other"), BODY, **key)
    assert replayed.headers.get("Idempotent-Replayed") == "true"

    db.session.execute(sa.update(IdempotentRequest).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    expired = call(client, "POST", _registrations(event), token, BODY | {"email": "new@example.org"}, **key)
    assert expired.status_code == 201 and "Idempotent-Replayed" not in expired.headers
    # The periodic work forgets what is older than a day.
    assert PERIODIC_WORK["eventsys.api.prune_idempotency_keys"] is idempotency.prune
    kept = _count(IdempotentRequest)
    assert kept == 2  # the renewed key, and the colleague's
    assert idempotency.prune(utcnow() + timedelta(hours=23)) == 1
    assert idempotency.prune(utcnow() + timedelta(hours=25)) == 1
    assert _count(IdempotentRequest) == 0


def test_deleting_and_actions_are_answered_once_too(app, client):
    event = make_event()
    token = make_token(make_organiser("li.wei@example.org", event))
    added = call(client, "POST", _registrations(event), token, BODY).json
    cancel = f"{_registrations(event)}/{added['id']}/cancel"
    first = call(client, "POST", cancel, token, **{"Idempotency-Key": "cancel-anna"})
    again = call(client, "POST", cancel, token, **{"Idempotency-Key": "cancel-anna"})
    assert first.status_code == again.status_code == 200 and again.json == first.json
    # Without the key the repeat meets the rule: cancelled already.
    assert call(client, "POST", cancel, token).status_code == 409


def _event_row_locked(app, event_id: int):
    """A second connection holding the event's row lock, as a long registration would: until closed."""
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    connection = psycopg.connect(url)
    connection.execute("SELECT id FROM event WHERE id = %s FOR UPDATE", (event_id,))
    return connection


def _claimed(key: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.commit()
        if db.session.scalar(sa.select(IdempotentRequest.id).where(IdempotentRequest.key == key)):
            return
        time.sleep(0.02)
    raise AssertionError("the first request never claimed its key")


def _in_thread(app, answers: list, *args, **headers) -> threading.Thread:
    def send():
        answers.append(call(app.test_client(), *args, **headers))

    thread = threading.Thread(target=send)
    thread.start()
    return thread


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_two_requests_at_once_with_one_key_run_once_the_second_waits_for_the_first(app):
    event = make_event()
    token = make_token(make_organiser("li.wei@example.org", event))
    key = {"Idempotency-Key": "race-1"}
    lock = _event_row_locked(app, event.id)
    first, second = [], []
    try:
        one = _in_thread(app, first, "POST", _registrations(event), token, BODY, **key)
        _claimed("race-1")
        two = _in_thread(app, second, "POST", _registrations(event), token, BODY, **key)
        time.sleep(0.5)  # the second is now waiting for the first, which waits for the lock
        assert not first and not second
    finally:
        lock.close()
    one.join(20)
    two.join(20)
    assert first[0].status_code == second[0].status_code == 201
    assert second[0].get_data() == first[0].get_data()
    assert second[0].headers["Idempotent-Replayed"] == "true"
    assert _count(Registration) == 1


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_second_request_that_waited_long_enough_gets_409_and_never_runs(app):
    app.config["API_IDEMPOTENCY_WAIT_SECONDS"] = 0.3
    event = make_event()
    token = make_token(make_organiser("li.wei@example.org", event))
    key = {"Idempotency-Key": "race-2"}
    lock = _event_row_locked(app, event.id)
    first = []
    try:
        one = _in_thread(app, first, "POST", _registrations(event), token, BODY, **key)
        _claimed("race-2")
        busy = call(app.test_client(), "POST", _registrations(event), token, BODY, **key)
        assert busy.status_code == 409 and busy.headers["Retry-After"] == "1"
        assert list(busy.json["errors"]) == ["idempotency_key"]
    finally:
        lock.close()
    one.join(20)
    assert first[0].status_code == 201
    later = call(app.test_client(), "POST", _registrations(event), token, BODY, **key)
    assert later.status_code == 201 and later.headers["Idempotent-Replayed"] == "true"
    assert _count(Registration) == 1
