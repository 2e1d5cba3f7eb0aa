"""The public JSON API: reading events and registering, with errors a client can act on."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.events.models import EventKind, EventMode, ProgrammeItem
from eventsys.registration.models import QuestionKind, Registration
from eventsys.speakers.models import Engagement, Institution, Speaker, SpeakerRole
from tests.conftest import both_databases
from tests.factories import add_question, make_event, registration_body


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def _post(client, event, body, **kwargs):
    return client.post(f"/api/v1/events/{event.slug}/registrations", json=body, **kwargs)


def test_lists_upcoming_published_events_soonest_first_and_filters_by_kind(client):
    later = make_event(starts_at=utcnow() + timedelta(days=60))
    sooner = make_event(kind=EventKind.lecture, mode=EventMode.online, starts_at=utcnow() + timedelta(days=5))
    make_event(status="draft")
    make_event(starts_at=utcnow() - timedelta(days=10))
    response = client.get("/api/v1/events")
    assert response.status_code == 200
    assert [e["slug"] for e in response.json] == [sooner.slug, later.slug]
    assert [e["slug"] for e in client.get("/api/v1/events?kind=lecture").json] == [sooner.slug]
    bad = client.get("/api/v1/events?kind=party")
    assert bad.status_code == 422 and "kind" in bad.json["errors"]


def test_event_detail_has_programme_speakers_and_questions_but_never_the_meeting_link(client):
    event = make_event(mode=EventMode.hybrid, meeting_url="https://meet.example.org/secret-room", capacity=30)
    item = ProgrammeItem(
        event_id=event.id,
        title="Keynote: morphing wings",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=1),
        location="Hall A",
    )
    msu = Institution(name="Lomonosov Moscow State University", country="RU", partner=True)
    speaker = Speaker(
        name="Irina Volkova", title="Prof.", country="RU", institution=msu, honours=["IEEE Fellow"]
    )
    db.session.add_all([item, msu, speaker])
    db.session.flush()
    db.session.add(
        Engagement(
            speaker_id=speaker.id, event_id=event.id, programme_item_id=item.id, role=SpeakerRole.keynote
        )
    )
    question = add_question(event, QuestionKind.yes_no, "Poster?", required=True)
    response = client.get(f"/api/v1/events/{event.slug}")
    assert response.status_code == 200
    body = response.json
    assert "secret-room" not in response.get_data(as_text=True)
    assert body["seats_left"] == 30 and body["registration_open"] is True
    assert body["programme"][0]["title"] == "Keynote: morphing wings"
    assert body["programme"][0]["speakers"][0]["speaker"]["name"] == "Irina Volkova"
    assert body["speakers"] == [
        {
            "speaker": {
                "id": speaker.id,
                "name": "Irina Volkova",
                "title": "Prof.",
                "country": "RU",
                "honours": ["IEEE Fellow"],
                "institution": {
                    "name": "Lomonosov Moscow State University",
                    "country": "RU",
                    "partner": True,
                },
            },
            "roles": ["keynote"],
        }
    ]
    assert body["questions"][0]["id"] == question.id and body["questions"][0]["kind"] == "yes_no"
    assert body["starts_at"].endswith("+00:00")


def test_unknown_and_draft_events_are_not_found(client):
    draft = make_event(status="draft")
    for slug in ("no-such-event", draft.slug):
        response = client.get(f"/api/v1/events/{slug}")
        assert response.status_code == 404 and "errors" in response.json


@both_databases
def test_registering_returns_the_status_position_and_token(client, app):
    event = make_event(capacity=1)
    first = _post(client, event, registration_body(1))
    second = _post(client, event, registration_body(2))
    assert first.status_code == second.status_code == 201
    assert first.json["status"] == "confirmed" and first.json["position"] is None
    assert second.json["status"] == "waitlisted" and second.json["position"] == 1
    assert first.json["manage_url"].endswith(f"/r/{first.json['token']}")
    assert client.get(f"/r/{second.json['token']}").status_code == 200


@both_databases
def test_a_second_registration_with_the_same_email_is_a_conflict(client, app):
    event = make_event()
    _post(client, event, registration_body(1))
    again = _post(client, event, registration_body(1, email="ATTENDEE1@example.org"))
    assert again.status_code == 409
    assert again.json == {"errors": {"email": ["This email address is already registered for this event."]}}
    assert _count() == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": None}, "name", "This field cannot be null."),
        ({"name": ""}, "name", "Enter your name."),
        ({"email": "someone@"}, "email", "Something is missing after the @."),
        ({"country": "Atlantis"}, "country", "Choose a country from the list"),
        ({"category": "astronaut"}, "category", "Choose one of: student, faculty, industry, other."),
        ({"consent": False}, "consent", "Consent to the processing of these details is required."),
        ({"affiliation": "x" * 301}, "affiliation", "Keep the affiliation under 300 characters."),
        ({"answers": []}, "answers", "Enter an object here."),
        ({"nickname": "cosmo"}, "nickname", "This field is not one we know: check its name."),
    ],
)
def test_each_invalid_field_gets_a_422_naming_it(client, body, field, message):
    event = make_event()
    response = _post(client, event, {**registration_body(1), **body})
    assert response.status_code == 422
    assert message in " ".join(response.json["errors"][field])
    assert _count() == 0


def test_missing_fields_are_listed_together(client):
    response = _post(client, make_event(), {"name": "Li Wei"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"email", "country", "category", "consent"}


def test_wrong_answers_and_over_long_text_name_the_question(client):
    event = make_event()
    guests = add_question(event, QuestionKind.number, "Guests")
    remark = add_question(event, QuestionKind.text, "Remark")
    response = _post(
        client, event, registration_body(1, answers={str(guests.id): "two", str(remark.id): "x" * 600})
    )
    assert response.status_code == 422
    assert response.json["errors"] == {
        f"answers.{guests.id}": ["Enter a number."],
        f"answers.{remark.id}": ["Keep this under 500 characters (it has 600)."],
    }


@pytest.mark.parametrize("raw", ['{"name": "Li"', "not json at all", "[1, 2]", "null"])
def test_a_body_that_is_not_a_json_object_is_a_422(client, raw):
    response = client.post(
        f"/api/v1/events/{make_event().slug}/registrations", data=raw, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json["errors"]
    assert _count() == 0


def test_closed_and_cancelled_events_answer_403_or_410_with_the_reason(client):
    not_yet = make_event(registration_opens_at=utcnow() + timedelta(days=2))
    cancelled = make_event(status="cancelled")
    unknown = client.post("/api/v1/events/nope/registrations", json=registration_body(1))
    assert unknown.status_code == 404
    early = _post(client, not_yet, registration_body(1))
    assert early.status_code == 403 and "Registration opens on" in early.json["errors"]["event"][0]
    gone = _post(client, cancelled, registration_body(1))
    assert gone.status_code == 410 and gone.json["errors"]["event"] == ["This event has been cancelled."]


def test_the_api_needs_no_csrf_token_but_the_form_does(app):
    event = make_event()
    client = app.test_client()
    assert _post(client, event, registration_body(1)).status_code == 201


def test_the_openapi_document_is_generated_from_the_code(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    post = spec["paths"]["/api/v1/events/{slug}/registrations"]["post"]
    assert {"201", "403", "409", "410", "422"} <= set(post["responses"])
    schema_name = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"name", "email", "country", "consent"} <= set(
        spec["components"]["schemas"][schema_name]["required"]
    )


@both_databases
def test_characters_nobody_types_are_refused_not_a_server_error(client, app):
    event = make_event()
    remark = add_question(event, QuestionKind.long_text, "Remark")
    body = registration_body(1, name="Li\x00Wei", affiliation="MSU\x07", locale="ru\x00",
                             answers={str(remark.id): "line one\nline two\x00", "1\x00": "x"})
    response = _post(client, event, body)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"name", "affiliation", f"answers.{remark.id}", "answers.1\x00"}
    assert client.get("/r/abc%00def").status_code == 404
    assert _count() == 0


def test_an_oversized_body_is_refused_before_it_is_read(client):
    event = make_event()
    body = registration_body(1, affiliation="x" * (2 * 1024 * 1024))
    response = _post(client, event, body)
    assert response.status_code == 413
    assert "request" in response.json["errors"]
    assert _count() == 0
