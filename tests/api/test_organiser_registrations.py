"""A script works an event's registrations: the workspace list's filters, and every organiser action."""

from datetime import timedelta

from eventsys.database import db, utcnow
from eventsys.registration import services
from eventsys.registration.models import QuestionKind, Registration, RegistrationStatus
from tests.api.organiser import call
from tests.conftest import both_databases
from tests.factories import (
    add_question,
    applicant,
    bulk_registrations,
    make_event,
    make_organiser,
    make_running_event,
    make_token,
)


def _base(event) -> str:
    return f"/api/v1/manage/events/{event.id}/registrations"


def _walk(client, token, url) -> list[dict]:
    """Every item of a list, following `next` to the end."""
    items = []
    while url:
        answer = call(client, "GET", url, token)
        assert answer.status_code == 200, answer.json
        items += answer.json["items"]
        assert ("Link" in answer.headers) == (answer.json["next"] is not None)
        url = answer.json["next"]
    return items


@both_databases
def test_a_thousand_registrations_are_walked_page_by_page_each_once_in_order(app, client):
    event = make_event(capacity=None)
    bulk_registrations(event, 1000)
    token = make_token(make_organiser("li.wei@example.org", event), "read")

    by_default = _walk(client, token, _base(event))
    ids = [item["id"] for item in by_default]
    assert len(ids) == 1000 and ids == sorted(ids)
    names = [item["name"] for item in _walk(client, token, f"{_base(event)}?sort=name_desc&limit=200")]
    assert names == sorted(names, reverse=True) and len(set(names)) == 1000

    # Rows added while a client walks: the ones it has passed are not seen, none is given twice.
    first = call(client, "GET", f"{_base(event)}?limit=200", token).json
    bulk_registrations(event, 50, name="Zz late")
    rest = _walk(client, token, first["next"])
    seen = [item["id"] for item in first["items"] + rest]
    assert len(seen) == len(set(seen)) == 1050 and seen == sorted(seen)


def test_the_list_takes_the_workspace_filters_and_refuses_what_it_does_not_understand(app, client):
    event = make_event(capacity=1)
    seated = services.register(event, applicant(1, name="Anna Petrova", affiliation="Samara University"))
    services.register(event, applicant(2, name="Boris Ivanov", country="KZ", category="student"))
    organiser = make_organiser("li.wei@example.org", event)
    token = make_token(organiser, "read")

    def names(query: str) -> list[str]:
        answer = call(client, "GET", f"{_base(event)}?{query}", token)
        assert answer.status_code == 200, answer.json
        return [item["name"] for item in answer.json["items"]]

    assert names("q=samara") == ["Anna Petrova"]
    assert names("status=waitlisted") == ["Boris Ivanov"]
    assert names("country=kz&category=student") == ["Boris Ivanov"]
    assert names("sort=name_desc") == ["Boris Ivanov", "Anna Petrova"]
    services.register(event, applicant(3, name="Late Comer"))
    assert names(f"registered_until={(utcnow() + timedelta(days=1)).isoformat().replace('+', '%2B')}") == [
        "Anna Petrova", "Boris Ivanov", "Late Comer"]
    # The event is a month away: the check-in says so, and goes ahead when told to.
    desk = make_token(organiser, name="desk")
    asked = call(client, "POST", f"{_base(event)}/{seated.id}/check-in", desk)
    assert asked.status_code == 409 and "outside_event_days=true" in asked.json["errors"]["request"][0]
    assert names("checked_in=true") == []
    call(client, "POST", f"{_base(event)}/{seated.id}/check-in?outside_event_days=true", desk)
    assert names("checked_in=true") == ["Anna Petrova"]

    for query, field in (("status=lost", "status"), ("country=XX", "country"), ("limit=201", "limit"),
                         ("after=not-a-cursor", "after"), ("q=%00", "q"), ("sort=random", "sort")):
        refused = call(client, "GET", f"{_base(event)}?{query}", token)
        assert refused.status_code == 422 and list(refused.json["errors"]) == [field], query


@both_databases
def test_an_organiser_adds_someone_who_then_holds_a_seat_or_waits(app, client):
    event = make_event(capacity=1, verify_emails=True)
    diet = add_question(event, QuestionKind.text, "Dietary needs")
    token = make_token(make_organiser("li.wei@example.org", event))
    body = {"name": "Anna Petrova", "email": "Anna@Example.org", "country": "RU", "category": "faculty",
            "answers": {str(diet.id): "Vegetarian"}, "locale": "ru"}
    added = call(client, "POST", _base(event), token, body)
    assert added.status_code == 201, added.json
    assert (added.json["status"], added.json["email"]) == ("confirmed", "anna@example.org")
    assert added.json["locale"] == "ru"
    assert added.json["answers"] == {str(diet.id): "Vegetarian"}
    assert added.headers["Location"].endswith(f"{_base(event)}/{added.json['id']}")

    waiting = call(client, "POST", _base(event), token, body | {"email": "boris@example.org"})
    assert waiting.status_code == 201
    assert (waiting.json["status"], waiting.json["waitlist_position"]) == ("waitlisted", 1)

    twice = call(client, "POST", _base(event), token, body)
    assert twice.status_code == 409 and list(twice.json["errors"]) == ["email"]
    wrong = {"email": "not an address", "country": "Narnia", "answers": {"999": "?"}}
    invalid = call(client, "POST", _base(event), token, body | wrong)
    assert invalid.status_code == 422
    assert {"email", "country"} <= set(invalid.json["errors"])


def test_an_event_that_does_not_take_registrations_refuses_additions(app, client):
    event = make_event(status="draft")
    token = make_token(make_organiser("li.wei@example.org", event))
    body = {"name": "Anna Petrova", "email": "anna@example.org", "country": "RU", "category": "faculty"}
    refused = call(client, "POST", _base(event), token, body)
    assert refused.status_code == 409 and list(refused.json["errors"]) == ["event"]


@both_databases
def test_cancelling_seats_the_first_waiting_and_promoting_and_approving_follow_the_rules(app, client):
    event = make_event(capacity=1)
    seated = services.register(event, applicant(1))
    first_waiting = services.register(event, applicant(2))
    second_waiting = services.register(event, applicant(3))
    token = make_token(make_organiser("li.wei@example.org", event))

    cancelled = call(client, "POST", f"{_base(event)}/{seated.id}/cancel", token)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    promoted = call(client, "GET", f"{_base(event)}/{first_waiting.id}", token).json
    assert promoted["status"] == "confirmed" and promoted["promoted_at"] is not None
    again = call(client, "POST", f"{_base(event)}/{seated.id}/cancel", token)
    assert again.status_code == 409
    assert again.json == {"errors": {"request": ["This registration is already cancelled."]}}

    full = call(client, "POST", f"{_base(event)}/{second_waiting.id}/promote", token)
    assert full.status_code == 409 and "raise the capacity" in full.json["errors"]["request"][0]
    call(client, "PATCH", f"/api/v1/manage/events/{event.id}", token, {"capacity": 5})
    not_waiting = call(client, "POST", f"{_base(event)}/{first_waiting.id}/promote", token)
    assert not_waiting.status_code == 409

    not_pending = call(client, "POST", f"{_base(event)}/{first_waiting.id}/approve", token)
    assert not_pending.status_code == 409


def test_approving_a_pending_registration_seats_it(app, client):
    event = make_event(requires_approval=True)
    pending = services.register(event, applicant(1))
    assert pending.status is RegistrationStatus.pending
    token = make_token(make_organiser("li.wei@example.org", event))
    approved = call(client, "POST", f"{_base(event)}/{pending.id}/approve", token)
    assert approved.status_code == 200
    assert approved.json["status"] == "confirmed" and approved.json["approved_at"] is not None


def test_checking_in_marks_the_arrival_once_and_refuses_who_holds_no_seat(app, client):
    event = make_running_event(capacity=1)
    seated = services.register(event, applicant(1))
    waiting = services.register(event, applicant(2))
    token = make_token(make_organiser("li.wei@example.org", event))
    first = call(client, "POST", f"{_base(event)}/{seated.id}/check-in", token)
    second = call(client, "POST", f"{_base(event)}/{seated.id}/check-in", token)
    assert (first.status_code, first.json["first_time"]) == (200, True)
    assert (second.status_code, second.json["first_time"]) == (200, False)
    assert first.json["registration"]["checked_in_at"] == second.json["registration"]["checked_in_at"]
    refused = call(client, "POST", f"{_base(event)}/{waiting.id}/check-in", token)
    assert refused.status_code == 409 and "Not admitted" in refused.json["errors"]["request"][0]
    assert db.session.get(Registration, waiting.id).checked_in_at is None

    undone = call(client, "DELETE", f"{_base(event)}/{seated.id}/check-in", token)
    assert (undone.status_code, undone.json["checked_in_at"]) == (200, None)
    again = call(client, "DELETE", f"{_base(event)}/{seated.id}/check-in", token)
    assert again.status_code == 409 and "was not checked in" in again.json["errors"]["request"][0]
    assert call(client, "POST", f"{_base(event)}/{seated.id}/check-in", token).json["first_time"] is True
