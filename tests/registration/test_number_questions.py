"""An organiser limits a number question ("accompanying persons": whole, 0 to 5) and registrants
are held to it on the form and through the API, in plain words next to the question."""

import re

import sqlalchemy as sa

from eventsys.database import db
from eventsys.registration.models import Question, QuestionKind, Registration
from tests.api.organiser import call
from tests.conftest import both_databases
from tests.factories import (
    add_question,
    csrf_token,
    make_event,
    make_organiser,
    make_token,
    registration_body,
    sign_in,
)
from tests.formpage import read_form

FILLED = {"name": "Li Wei", "email": "li.wei@example.org", "affiliation": "Tohoku University",
          "country": "JP", "category": "student", "consent": "y"}


def _guests_question(event, **settings) -> Question:
    """'Accompanying persons', a number question with the given limits, saved."""
    question = add_question(event, QuestionKind.number, "Accompanying persons")
    for name, value in settings.items():
        setattr(question, name, value)
    db.session.commit()
    return question


def _register_with(client, event, question, answer: str, number: int = 1):
    """Fill the public form as a person would, answering the question; the response."""
    token = csrf_token(client, f"/events/{event.slug}/register")
    data = {**FILLED, "email": f"guest{number}@example.org", f"q_{question.id}": answer, "csrf_token": token}
    return client.post(f"/events/{event.slug}/register", data=data)


def _errors(response) -> dict[str, list[str]]:
    return read_form(response.get_data(as_text=True)).errors_by_field


def _registered() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_the_organiser_sets_whole_numbers_from_0_to_5_and_the_form_asks_for_just_that(client):
    event = make_event()
    make_organiser("li.wei@example.org", event)
    sign_in(client, "li.wei@example.org")
    base = f"/manage/events/{event.id}/questions"
    token = csrf_token(client, f"{base}/new")

    saved = client.post(f"{base}/new", data={"csrf_token": token, "label": "Accompanying persons",
                                              "kind": "number", "number_min": "0", "number_max": "5",
                                              "whole_numbers": "y"})

    assert saved.status_code == 303
    question = db.session.scalars(sa.select(Question)).one()
    assert (question.number_min, question.number_max, question.whole_numbers) == (0, 5, True)
    edit_form = read_form(client.get(f"{base}/{question.id}/edit").get_data(as_text=True))
    assert (edit_form.fields["number_min"], edit_form.fields["number_max"]) == ("0", "5")
    listed = client.get(base).get_data(as_text=True)
    assert f'id="question-{question.id}-rule">Enter a whole number from 0 to 5.<' in listed, "listed so"
    public_form = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    field = re.search(rf'<input [^>]*name="q_{question.id}"[^>]*>', public_form)[0]
    assert 'type="number"' in field and 'min="0"' in field and 'max="5"' in field and 'step="1"' in field


def test_limits_the_organiser_gets_wrong_are_explained_next_to_their_fields(client):
    event = make_event()
    make_organiser("li.wei@example.org", event)
    sign_in(client, "li.wei@example.org")
    base = f"/manage/events/{event.id}/questions"
    token = csrf_token(client, f"{base}/new")
    question = {"csrf_token": token, "label": "Nights in Harbin", "kind": "number"}

    upside_down = client.post(f"{base}/new", data={**question, "number_min": "5", "number_max": "1"})
    not_a_number = client.post(f"{base}/new", data={**question, "number_min": "few"})
    half = client.post(f"{base}/new", data={**question, "number_min": "0.5", "whole_numbers": "y"})

    assert upside_down.status_code == not_a_number.status_code == half.status_code == 422
    assert _errors(upside_down) == {"number_max": ["The largest answer cannot be smaller than the smallest."]}
    assert _errors(not_a_number) == {
        "number_min": ["Enter a number, like 0 or 5, or leave it blank for no limit."]}
    assert _errors(half) == {"number_min": ["With whole numbers only, the limits are whole numbers too."]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


@both_databases
def test_a_registrant_is_held_to_whole_numbers_from_0_to_5_on_the_form(client):
    event = make_event()
    guests = _guests_question(event, number_min=0, number_max=5, whole_numbers=True)

    for number, answer in enumerate(["-1.5", "6", "2.5", "two"], start=1):
        refused = _register_with(client, event, guests, answer, number)
        assert refused.status_code == 422, answer
        assert _errors(refused) == {f"q_{guests.id}": ["Enter a whole number from 0 to 5."]}, answer
    assert _registered() == 0

    accepted = _register_with(client, event, guests, "2", 9)

    assert accepted.status_code == 303
    assert db.session.scalars(sa.select(Registration.answers)).one() == {str(guests.id): 2}


def test_with_decimals_allowed_a_half_is_fine_but_not_more_than_the_largest(client):
    event = make_event()
    nights = _guests_question(event, number_min=0, number_max=5)

    assert _register_with(client, event, nights, "2.5", 1).status_code == 303
    refused = _register_with(client, event, nights, "5.5", 2)

    assert _errors(refused) == {f"q_{nights.id}": ["Enter a number from 0 to 5."]}
    assert 'step="any"' in client.get(f"/events/{event.slug}/register").get_data(as_text=True)


def test_a_number_question_with_no_limits_keeps_taking_any_number(client):
    event = make_event()
    balance = add_question(event, QuestionKind.number, "Temperature you are used to in winter (°C)")

    assert _register_with(client, event, balance, "-31.5").status_code == 303
    assert db.session.scalars(sa.select(Registration.answers)).one() == {str(balance.id): -31.5}


def test_only_a_lower_limit_is_said_as_such(client):
    event = make_event()
    guests = _guests_question(event, number_min=0, whole_numbers=True)

    refused = _register_with(client, event, guests, "-1")

    assert _errors(refused) == {f"q_{guests.id}": ["Enter a whole number of 0 or more."]}
    assert _register_with(client, event, guests, "12", 2).status_code == 303


@both_databases
def test_the_public_api_refuses_answers_outside_the_limits_with_the_same_words(client):
    event = make_event()
    guests = _guests_question(event, number_min=0, number_max=5, whole_numbers=True)
    path = f"/api/v1/events/{event.slug}/registrations"

    for number, answer in enumerate([-1.5, 6, 2.5, "2.5"], start=1):
        refused = client.post(path, json=registration_body(number, answers={str(guests.id): answer}))
        assert refused.status_code == 422, answer
        assert refused.get_json()["errors"] == {f"answers.{guests.id}": ["Enter a whole number from 0 to 5."]}
    accepted = client.post(path, json=registration_body(9, answers={str(guests.id): 2.0}))

    assert accepted.status_code == 201
    assert db.session.scalars(sa.select(Registration.answers)).one() == {str(guests.id): 2}
    shown = client.get(f"/api/v1/events/{event.slug}").get_json()["questions"][0]
    assert (shown["number_min"], shown["number_max"], shown["whole_numbers"]) == (0, 5, True)


def test_a_script_sets_the_limits_through_the_organiser_api_and_min_must_not_pass_max(client):
    event = make_event()
    token = make_token(make_organiser("li.wei@example.org", event))
    base = f"/api/v1/manage/events/{event.id}/questions"

    upside_down = call(client, "POST", base, token, {"kind": "number", "label": "Accompanying persons",
                                                     "number_min": 5, "number_max": 0})
    not_a_number = call(client, "POST", base, token, {"kind": "number", "label": "Accompanying persons",
                                                      "number_max": "lots"})
    made = call(client, "POST", base, token, {"kind": "number", "label": "Accompanying persons",
                                              "number_min": 0, "number_max": 5, "whole_numbers": True})

    assert upside_down.status_code == 422
    assert upside_down.json["errors"] == {
        "number_max": ["The largest answer cannot be smaller than the smallest."]}
    assert not_a_number.status_code == 422 and list(not_a_number.json["errors"]) == ["number_max"]
    assert made.status_code == 201
    assert (made.json["number_min"], made.json["number_max"], made.json["whole_numbers"]) == (0, 5, True)

    widened = call(client, "PATCH", f"{base}/{made.json['id']}", token, {"number_max": 8})
    assert widened.status_code == 200
    assert (widened.json["number_min"], widened.json["number_max"]) == (0, 8)
    crossed = call(client, "PATCH", f"{base}/{made.json['id']}", token, {"number_min": 9})
    assert crossed.status_code == 422 and list(crossed.json["errors"]) == ["number_max"]

    texted = call(client, "PATCH", f"{base}/{made.json['id']}", token, {"kind": "text"})
    assert (texted.json["number_min"], texted.json["number_max"], texted.json["whole_numbers"]) == (
        None, None, False)  # a text question has no limits to keep
