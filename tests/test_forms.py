"""Every form refuses text nobody types, next to the field, by the one rule of eventsys.textrules."""

import io

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.messages.models import Mailing
from eventsys.speakers.models import Institution, Speaker
from tests.conftest import both_databases
from tests.factories import csrf_token, make_event, make_organiser, sign_in
from tests.formpage import read_form

ORGANISER = "office@example.org"


@pytest.fixture
def office(client):
    event = make_event()
    make_organiser(ORGANISER, event)
    sign_in(client, ORGANISER)
    client.event = event
    return client


def _post(client, path: str, **fields):
    return client.post(path, data={"csrf_token": csrf_token(client, path), **fields})


def _errors(response) -> dict[str, list[str]]:
    return read_form(response.get_data(as_text=True)).errors_by_field


@both_databases
@pytest.mark.parametrize(("value", "message"), [
    ("Jinsong\x00Leng", "Remove the control characters"),
    ("Jinsong\x85Leng", "Remove the control characters"),
    ("Jinsong\tLeng", "Keep this on one line"),
])
def test_an_organiser_form_refuses_control_characters_next_to_the_field(app, office, value, message):
    response = _post(office, "/manage/speakers/new", name=value, country="CN", title="", email="",
                     institution_id="", biography="line one\nline two\ttabbed", honours="", add_honour="",
                     expertise="")
    assert response.status_code == 422
    assert message in " ".join(_errors(response)["name"])
    assert "biography" not in _errors(response)  # line breaks and tabs belong in multi-line text
    assert db.session.scalars(sa.select(Speaker)).all() == []


@both_databases
def test_a_multi_line_field_takes_line_breaks_but_not_nul(app, office):
    response = _post(office, "/manage/institutions/new", name="Samara\x00 University", country="RU")
    assert response.status_code == 422
    assert "Remove the control characters" in " ".join(_errors(response)["name"])
    assert db.session.scalars(sa.select(Institution)).all() == []
    path = f"/manage/events/{office.event.id}/messages/new"
    message = _post(office, path, audience="registrants", subject="Welcome", body="Hello\x00")
    assert message.status_code == 422
    assert "Remove the control characters" in " ".join(_errors(message)["body"])
    assert db.session.scalars(sa.select(Mailing)).all() == []


@both_databases
def test_a_csv_import_refuses_control_characters_in_a_cell_naming_the_row(app, office):
    rows = "name,title,email,institution,country,honours,expertise,biography\n" \
           "Anna\x00Visser,Prof.,visser@example.nl,,NL,IEEE\x07 Fellow,,\n"
    fields = {"csrf_token": csrf_token(office, "/manage/speakers/import"),
              "file": (io.BytesIO(rows.encode()), "speakers.csv")}
    response = office.post("/manage/speakers/import", data=fields, content_type="multipart/form-data")
    assert response.status_code in (200, 422)
    assert "Remove the control characters" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Speaker)).all() == []
