"""The organiser pages and exports survive whatever is already stored, and odd page links."""

import base64
import csv
import io
import json

import openpyxl
import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.registration import services
from eventsys.registration.models import QuestionKind, Registration
from tests.conftest import both_databases
from tests.factories import add_question, applicant, make_event, make_organiser, sign_in

ORGANISER = "organiser@example.org"


@pytest.fixture
def stored(client):
    """An event with one registrant whose stored answers are set by each test behind the service's back."""
    event = make_event()
    remark = add_question(event, QuestionKind.text, "Remark")
    guests = add_question(event, QuestionKind.number, "Guests")
    person = services.register(event, applicant(1, name="Anna Petrova"))
    make_organiser(ORGANISER, event)
    sign_in(client, ORGANISER)

    def store(**values):
        db.session.execute(sa.update(Registration).where(Registration.id == person.id).values(**values))
        db.session.commit()

    return event, person.id, str(remark.id), str(guests.id), store


def _read(client, url):
    """The response, read to its end (a streamed export holds its request open until then)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _pages(client, event, person_id):
    """The detail page, the list, both exports and the answers editor."""
    base = f"/manage/events/{event.id}/registrations"
    urls = (f"{base}/{person_id}", base, f"{base}.csv", f"{base}.xlsx", f"{base}/{person_id}/answers")
    return tuple(_read(client, url) for url in urls)


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


def _xlsx_rows(response) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def test_a_stored_lone_surrogate_shows_as_a_replacement_character_everywhere(client, stored):
    # Only SQLite can hold it (as the JSON escape "\ud800"); PostgreSQL refuses it on insert.
    event, person_id, remark, _, store = stored
    store(answers={remark: "caf\ud800e"})
    detail, listing, as_csv, as_xlsx, editor = _pages(client, event, person_id)
    assert [r.status_code for r in (detail, listing, as_csv, as_xlsx, editor)] == [200] * 5
    assert "caf\ufffde" in detail.get_data(as_text=True)
    assert _csv_rows(as_csv)[1][-2] == "caf\ufffde"
    assert _xlsx_rows(as_xlsx)[1][-2] == "caf\ufffde"


@both_databases
def test_a_stored_number_too_large_for_a_spreadsheet_is_exported_as_its_digits(client, app, stored):
    event, person_id, _, guests, store = stored
    store(answers={guests: int("9" * 400)})
    detail, listing, as_csv, as_xlsx, editor = _pages(client, event, person_id)
    assert [r.status_code for r in (detail, listing, as_csv, as_xlsx, editor)] == [200] * 5
    assert _csv_rows(as_csv)[1][-1] == "9" * 400
    assert _xlsx_rows(as_xlsx)[1][-1] == "9" * 400


@both_databases
def test_stored_control_characters_do_not_break_the_exports(client, app, stored):
    event, person_id, remark, _, store = stored
    store(answers={remark: "bell\x07 nul\x00 c1\x85"})
    detail, listing, as_csv, as_xlsx, editor = _pages(client, event, person_id)
    assert [r.status_code for r in (detail, listing, as_csv, as_xlsx, editor)] == [200] * 5
    assert _xlsx_rows(as_xlsx)[1][-2] == "bell nul c1"


def _cursor(key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


@both_databases
@pytest.mark.parametrize("after", [
    "%00", "AA%00AA", _cursor(["\x00", 1]), _cursor(["\ud800", 1]), _cursor(["x" * 5000, 1]),
    "%ED%A0%80", "%FF%FE", _cursor([1.5, 1]),
])
def test_a_page_link_with_any_bytes_gives_the_first_page_and_a_notice(client, app, stored, after):
    event, *_ = stored
    page = client.get(f"/manage/events/{event.id}/registrations?sort=name&after={after}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "The page link was not understood" in text and "Anna Petrova" in text


@both_databases
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_a_broken_page_link_is_refused(client, app, stored, fmt):
    event, *_ = stored
    broken = _cursor(["\x00", 1])
    response = _read(client, f"/manage/events/{event.id}/registrations.{fmt}?sort=name&after={broken}")
    assert response.status_code == 400
    assert "The page link was not understood" in response.get_data(as_text=True)
