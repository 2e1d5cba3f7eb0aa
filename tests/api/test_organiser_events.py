"""An organiser's script plans events through the API: lists its own, creates, changes, publishes, cancels."""

from datetime import timedelta

import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.events.models import Event, EventStatus
from eventsys.mail.models import OutboundEmail
from eventsys.registration import services
from tests.api.organiser import call
from tests.conftest import both_databases
from tests.factories import applicant, make_event, make_organiser, make_token

EVENTS = "/api/v1/manage/events"


def _new_lecture(**overrides) -> dict:
    starts = (utcnow() + timedelta(days=40)).replace(microsecond=0)
    return {"kind": "lecture", "mode": "in_person", "title": "Lecture on Orbital Débris",
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "timezone": "Asia/Harbin", "venue": "Main Building, Hall 1", "capacity": 120} | overrides


@both_databases
def test_a_script_creates_a_draft_fills_it_in_and_publishes_it(app, client):
    user = make_organiser("li.wei@example.org")
    token = make_token(user)

    created = call(client, "POST", EVENTS, token, _new_lecture())
    assert created.status_code == 201, created.json
    event = created.json
    assert created.headers["Location"] == f"http://events.test{EVENTS}/{event['id']}"
    assert (event["slug"], event["status"]) == ("lecture-on-orbital-debris", "draft")
    assert event["verify_emails"] is True  # limited seats: addresses are confirmed first
    assert event["publish_problems"] == ["Add a summary: lists and link previews show it."]

    refused = call(client, "POST", f"{EVENTS}/{event['id']}/publish", token)
    assert refused.status_code == 409
    assert refused.json == {"errors": {"request": ["Add a summary: lists and link previews show it."]}}

    changed = call(client, "PATCH", f"{EVENTS}/{event['id']}", token, {"summary": "Space debris, tracked."})
    assert changed.status_code == 200 and changed.json["publish_problems"] == []
    assert changed.json["title"] == "Lecture on Orbital Débris"  # what was not sent stays

    published = call(client, "POST", f"{EVENTS}/{event['id']}/publish", token)
    assert published.status_code == 200 and published.json["status"] == "published"
    assert client.get(f"/api/v1/events/{event['slug']}").status_code == 200


def test_the_list_holds_the_organisers_own_events_latest_first_a_page_at_a_time(app, client):
    now = utcnow()
    mine = [make_event(title=f"Mine {n}", starts_at=now + timedelta(days=n)) for n in range(1, 6)]
    make_event(title="Not mine")
    user = make_organiser("li.wei@example.org", *mine)
    token = make_token(user, "read")
    first = call(client, "GET", f"{EVENTS}?limit=2", token)
    assert [e["title"] for e in first.json["items"]] == ["Mine 5", "Mine 4"]
    assert first.headers["Link"] == f'<{first.json["next"]}>; rel="next"'
    titles = [e["title"] for e in first.json["items"]]
    url = first.json["next"]
    while url:
        page = call(client, "GET", url, token).json
        titles += [e["title"] for e in page["items"]]
        url = page["next"]
    assert titles == [f"Mine {n}" for n in range(5, 0, -1)]
    drafts = call(client, "GET", f"{EVENTS}?status=draft", token).json
    assert drafts == {"items": [], "next": None}


def test_values_the_rules_refuse_come_back_under_their_fields(app, client):
    make_event(slug="taken-address")
    token = make_token(make_organiser("li.wei@example.org"))
    answer = call(client, "POST", EVENTS, token, _new_lecture(
        slug="taken-address", timezone="Mars/Olympus", capacity=-1, title="Two\nlines", kind="party"))
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"capacity", "title", "kind"}
    answer = call(client, "POST", EVENTS, token, _new_lecture(slug="taken-address", timezone="Mars/Olympus"))
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"slug", "timezone"}
    missing = call(client, "POST", EVENTS, token, {"title": "No times"})
    assert set(missing.json["errors"]) == {"kind", "mode", "starts_at", "ends_at", "timezone"}
    assert missing.json["errors"]["kind"] == ["This field is required."]
    unknown = call(client, "POST", EVENTS, token, _new_lecture(colour="blue"))
    assert unknown.json["errors"] == {"colour": ["This field is not one we know: check its name."]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1


def test_capacity_cannot_drop_below_the_seats_taken_and_a_raise_seats_the_waiting_list(app, client):
    event = make_event(capacity=1)
    services.register(event, applicant(1))
    waiting = services.register(event, applicant(2))
    token = make_token(make_organiser("li.wei@example.org", event))
    lowered = call(client, "PATCH", f"{EVENTS}/{event.id}", token, {"capacity": 0})
    assert lowered.status_code == 422 and list(lowered.json["errors"]) == ["capacity"]
    raised = call(client, "PATCH", f"{EVENTS}/{event.id}", token, {"capacity": 2})
    assert raised.status_code == 200
    assert (raised.json["confirmed_count"], raised.json["waitlisted_count"]) == (2, 0)
    db.session.refresh(waiting)
    assert waiting.status.value == "confirmed"


def test_cancelling_tells_everyone_once_and_a_cancelled_event_no_longer_changes(app, client):
    event = make_event()
    for number in (1, 2):
        services.register(event, applicant(number))
    token = make_token(make_organiser("li.wei@example.org", event))
    cancelled = call(client, "POST", f"{EVENTS}/{event.id}/cancel", token, {"reason": "The hall is flooded."})
    assert cancelled.status_code == 200
    assert cancelled.json["notified"] == 2 and cancelled.json["event"]["status"] == "cancelled"
    assert db.session.scalar(sa.select(sa.func.count()).where(OutboundEmail.kind == "event_cancelled")) == 2

    again = call(client, "POST", f"{EVENTS}/{event.id}/cancel", token, {})
    assert again.status_code == 409
    assert again.json == {"errors": {"request": ["This event is already cancelled."]}}
    changed = call(client, "PATCH", f"{EVENTS}/{event.id}", token, {"title": "Back on"})
    assert changed.status_code == 409 and list(changed.json["errors"]) == ["request"]
    db.session.refresh(event)
    assert event.status is EventStatus.cancelled and event.title != "Back on"
