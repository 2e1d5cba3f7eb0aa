"""A script keeps an event's programme and its registration questions: added, listed, changed, deleted."""

from datetime import timedelta

from eventsys.database import db
from eventsys.events.models import ProgrammeItem
from eventsys.registration import services
from eventsys.registration.models import Question, QuestionKind
from eventsys.speakers.models import Engagement, InvitationStatus, Speaker, SpeakerRole
from tests.api.organiser import call
from tests.conftest import both_databases
from tests.factories import add_question, applicant, make_event, make_organiser, make_token


def _item(event, start_hours: float, hours: float = 1, **overrides) -> dict:
    starts = event.starts_at + timedelta(hours=start_hours)
    return {"title": f"Session at +{start_hours}h", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=hours)).isoformat()} | overrides


@both_databases
def test_the_programme_is_built_listed_in_time_order_and_changed(app, client):
    event = make_event()
    token = make_token(make_organiser("li.wei@example.org", event))
    base = f"/api/v1/manage/events/{event.id}/programme"
    later = call(client, "POST", base, token, _item(event, 3, title="Closing panel", location="Hall B"))
    sooner = call(client, "POST", base, token, _item(event, 0, title="Keynote"))
    assert later.status_code == sooner.status_code == 201
    assert later.headers["Location"].endswith(f"{base}/{later.json['id']}")

    listed = call(client, "GET", f"{base}?limit=1", token)
    assert [item["title"] for item in listed.json["items"]] == ["Keynote"]
    rest = call(client, "GET", listed.json["next"], token).json
    assert [item["title"] for item in rest["items"]] == ["Closing panel"] and rest["next"] is None

    moved = call(client, "PATCH", f"{base}/{later.json['id']}", token, {"title": "Closing discussion"})
    assert moved.status_code == 200
    assert (moved.json["title"], moved.json["location"]) == ("Closing discussion", "Hall B")
    outside = call(client, "PATCH", f"{base}/{later.json['id']}", token,
                   {"ends_at": (event.ends_at + timedelta(hours=1)).isoformat()})
    assert outside.status_code == 422
    assert outside.json["errors"] == {"ends_at": ["The item must end by the end of the event."]}

    assert call(client, "DELETE", f"{base}/{sooner.json['id']}", token).status_code == 204
    assert call(client, "GET", f"{base}/{sooner.json['id']}", token).status_code == 404


def test_an_item_a_speaker_was_invited_to_is_not_deleted(app, client):
    event = make_event()
    token = make_token(make_organiser("li.wei@example.org", event))
    item = ProgrammeItem(event_id=event.id, title="Keynote", starts_at=event.starts_at,
                         ends_at=event.starts_at + timedelta(hours=1))
    speaker = Speaker(name="Irina Volkova", title="Prof.", country="RU", email="volkova@example.org")
    db.session.add_all([item, speaker])
    db.session.flush()
    db.session.add(Engagement(speaker_id=speaker.id, event_id=event.id, programme_item_id=item.id,
                              role=SpeakerRole.keynote, invitation_status=InvitationStatus.invited))
    db.session.commit()
    url = f"/api/v1/manage/events/{event.id}/programme/{item.id}"
    shown = call(client, "GET", url, token).json
    assert shown["speakers"][0]["name"] == "Prof. Irina Volkova"
    assert shown["speakers"][0]["invitation_status"] == "invited"
    refused = call(client, "DELETE", url, token)
    assert refused.status_code == 409 and "Prof. Irina Volkova" in refused.json["errors"]["request"][0]
    assert db.session.get(ProgrammeItem, item.id) is not None


@both_databases
def test_questions_are_kept_in_form_order_and_their_kind_is_fixed_once_answered(app, client):
    event = make_event()
    token = make_token(make_organiser("li.wei@example.org", event))
    base = f"/api/v1/manage/events/{event.id}/questions"
    poster = call(client, "POST", base, token, {"kind": "yes_no", "label": "Will you bring a poster?"})
    session = call(client, "POST", base, token, {"kind": "single_choice", "label": "Session",
                                                "options": ["Materials", "Propulsion", "Materials"]})
    assert poster.status_code == session.status_code == 201
    assert session.json["options"] == ["Materials", "Propulsion"]
    no_choices = call(client, "POST", base, token, {"kind": "multiple_choice", "label": "Topics"})
    assert no_choices.status_code == 422 and list(no_choices.json["errors"]) == ["options"]

    listed = call(client, "GET", base, token).json
    assert [q["label"] for q in listed["items"]] == ["Will you bring a poster?", "Session"]

    services.register(event, applicant(1, answers={str(poster.json["id"]): True}))
    refused = call(client, "PATCH", f"{base}/{poster.json['id']}", token, {"kind": "text"})
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["kind"]
    relabelled = call(client, "PATCH", f"{base}/{poster.json['id']}", token, {"label": "A poster?",
                                                                             "required": True})
    assert relabelled.status_code == 200
    assert (relabelled.json["kind"], relabelled.json["required"]) == ("yes_no", True)

    assert call(client, "DELETE", f"{base}/{session.json['id']}", token).status_code == 204
    assert db.session.get(Question, session.json["id"]) is None


def test_a_question_of_another_event_is_not_found_here(app, client):
    mine, other = make_event(), make_event()
    question = add_question(other, QuestionKind.text, "Diet")
    token = make_token(make_organiser("li.wei@example.org", mine))
    url = f"/api/v1/manage/events/{mine.id}/questions/{question.id}"
    assert call(client, "GET", url, token).status_code == 404
    assert call(client, "DELETE", url, token).status_code == 404
    assert db.session.get(Question, question.id) is not None
