"""The event a registration is checked against may be a second old, but never lets the seat rule slip."""

import time

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.registration import event_snapshots
from eventsys.registration.models import QuestionKind, Registration
from tests.conftest import both_databases
from tests.factories import add_question, make_event, registration_body


def _post(client, event_slug: str, number: int):
    return client.post(f"/api/v1/events/{event_slug}/registrations", json=registration_body(number))


@both_databases
def test_a_question_added_here_applies_to_the_very_next_registration(app, client):
    event = make_event()
    slug = event.slug
    assert _post(client, slug, 1).status_code == 201

    question = add_question(event, QuestionKind.text, "Passport number", required=True)

    refused = _post(client, slug, 2)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {f"answers.{question.id}": ["This question needs an answer."]}


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_an_event_cancelled_elsewhere_refuses_registrations_at_once_whatever_the_snapshot_says(app, client):
    event = make_event(capacity=1)
    slug, event_id = event.slug, event.id
    assert _post(client, slug, 1).status_code == 201
    # Another process cancels it: nothing in this one hears of it.
    with db.engine.begin() as other_process:
        other_process.execute(sa.text("UPDATE event SET status = 'cancelled' WHERE id = :id"),
                              {"id": event_id})

    refused = _post(client, slug, 2)

    assert refused.status_code == 410
    assert refused.get_json()["errors"]["event"] == ["This event has been cancelled."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_change_made_elsewhere_shows_within_the_snapshot_s_second(app, client):
    event = make_event()
    slug, event_id = event.slug, event.id
    assert _post(client, slug, 1).status_code == 201
    with db.engine.begin() as other_process:
        other_process.execute(sa.text("UPDATE event SET verify_emails = true WHERE id = :id"),
                              {"id": event_id})

    time.sleep(event_snapshots.SNAPSHOT_SECONDS + 0.1)

    assert _post(client, slug, 2).status_code == 202


@both_databases
def test_the_snapshot_is_not_the_object_the_caller_holds(app, client):
    event = make_event()
    assert _post(client, event.slug, 1).status_code == 201
    assert _post(client, event.slug, 2).status_code == 201
    # The test's own object stays in its session, and reads the counts as they are now.
    db.session.refresh(event)
    assert event.confirmed_count == 2
    assert event in db.session
    assert event_snapshots.event_for_registration(event.slug) is not db.session.get(Event, event.id)
