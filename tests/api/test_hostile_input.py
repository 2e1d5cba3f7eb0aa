"""Whatever bytes a client sends to register, the answer is a 201 or a 4xx naming the problem, never a 500."""

import json

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.registration.models import QuestionKind, Registration
from tests.conftest import both_databases
from tests.factories import add_question, make_event, registration_body


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def _post_raw(client, event, raw: str | bytes):
    return client.post(f"/api/v1/events/{event.slug}/registrations", data=raw,
                       content_type="application/json")


def _body_with(answers: str = "{}", **fields: str) -> str:
    """A registration body whose answers (and any field given) are raw JSON text, not Python values."""
    text = json.dumps({k: v for k, v in registration_body(1).items() if k not in fields})[:-1]
    extra = "".join(f', "{name}": {raw}' for name, raw in fields.items())
    return f'{text}{extra}, "answers": {answers}}}'


@pytest.fixture
def event(app):
    event = make_event()
    add_question(event, QuestionKind.text, "Remark")
    add_question(event, QuestionKind.number, "Guests")
    return event


def _ids(event):
    remark, guests = event.questions
    return remark.id, guests.id


@both_databases
def test_a_lone_surrogate_in_an_answer_is_refused_next_to_the_question(client, app, event):
    remark, _ = _ids(event)
    response = _post_raw(client, event, _body_with(f'{{"{remark}": "caf\\ud800e"}}'))
    assert response.status_code == 422
    assert "broken character" in response.json["errors"][f"answers.{remark}"][0]
    assert _count() == 0


@both_databases
def test_a_lone_surrogate_in_the_name_is_refused_next_to_it(client, app, event):
    response = _post_raw(client, event, _body_with(name='"Li \\udc00Wei"'))
    assert response.status_code == 422
    assert "broken character" in response.json["errors"]["name"][0]
    assert _count() == 0


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "9" * 400, "9" * 5000])
def test_numbers_that_are_not_finite_or_too_large_are_refused_next_to_the_question(client, event, number):
    _, guests = _ids(event)
    response = _post_raw(client, event, _body_with(f'{{"{guests}": {number}}}'))
    assert response.status_code == 422
    assert list(response.json["errors"]) == [f"answers.{guests}"]
    assert "Enter a number between" in response.json["errors"][f"answers.{guests}"][0]
    assert _count() == 0


def test_a_number_answer_within_the_stated_range_is_stored(client, event):
    _, guests = _ids(event)
    response = _post_raw(client, event, _body_with(f'{{"{guests}": 1e12}}'))
    assert response.status_code == 201
    assert db.session.scalars(sa.select(Registration)).one().answers == {str(guests): 1e12}


def test_a_number_given_as_text_is_held_to_the_same_range(client, event):
    _, guests = _ids(event)
    response = _post_raw(client, event, _body_with(f'{{"{guests}": "{"9" * 30}"}}'))
    assert response.status_code == 422
    assert "Enter a number between" in response.json["errors"][f"answers.{guests}"][0]


@pytest.mark.parametrize("nested", ["[" * 3000 + "]" * 3000, '{"a":' * 3000 + "1" + "}" * 3000,
                                    "[" * 40 + "]" * 40])
def test_deeply_nested_json_is_a_422_about_the_body(client, event, nested):
    _, guests = _ids(event)
    response = _post_raw(client, event, _body_with(f'{{"{guests}": {nested}}}'))
    assert response.status_code == 422
    assert "nested" in response.json["errors"]["body"][0]
    assert _count() == 0


def test_json_with_too_many_values_is_a_422_about_the_body(client, event):
    response = _post_raw(client, event, _body_with("[" + ",".join(["1"] * 20000) + "]"))
    assert response.status_code == 422
    assert "values" in response.json["errors"]["body"][0]


@pytest.mark.parametrize("raw", [b'{"name": "\xed\xa0\x80"}', b'{"name": "\xff"}'])
def test_bytes_that_are_not_utf8_are_a_422_about_the_body(client, event, raw):
    response = _post_raw(client, event, raw)
    assert response.status_code == 422
    assert "UTF-8" in response.json["errors"]["body"][0]


def test_a_lone_surrogate_in_a_key_is_refused_without_echoing_it(client, event):
    response = _post_raw(client, event, _body_with('{"\\ud800": "x"}'))
    assert response.status_code == 422
    assert "answers.\ufffd" in response.json["errors"]
    assert "\\ud800" not in response.get_data(as_text=True)


def test_a_405_says_which_methods_are_allowed(client, event):
    response = client.delete(f"/api/v1/events/{event.slug}/registrations")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    assert response.json["errors"]
    page = client.delete(f"/events/{event.slug}")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]
