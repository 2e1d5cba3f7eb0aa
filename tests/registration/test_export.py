"""Downloading an event's registrations as CSV and XLSX: read back as a spreadsheet user would."""

import csv
import io

import openpyxl
import pytest

from eventsys.database import db
from eventsys.registration import export, handling, services
from eventsys.registration.models import QuestionKind
from tests.conftest import both_databases, make_app
from tests.factories import add_question, applicant, make_event, make_organiser, sign_in
from tests.registration.test_manage_registrations import bulk_registrations

ORGANISER = "organiser@example.org"
HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tindented", "\rreturn"]


def _signed_in(client, event) -> str:
    make_organiser(ORGANISER, event)
    sign_in(client, ORGANISER)
    return f"/manage/events/{event.id}/registrations"


def _csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _event_with_people():
    event = make_event(capacity=2)
    sessions = add_question(event, QuestionKind.multiple_choice, "Sessions", options=["A", "B", "C"])
    guests = add_question(event, QuestionKind.number, "Guests")
    services.register(event, applicant(1, name="Шевченко Олена", country="UA",
                                       answers={str(sessions.id): ["A", "C"], str(guests.id): -1}))
    seated = services.register(event, applicant(2, name="李娜", country="CN", affiliation="清华大学"))
    services.register(event, applicant(3, name="Ivan Sidorov", country="RU", category="student"))
    handling.check_in(event.id, seated, outside_days_confirmed=True)
    return event


@both_databases
def test_the_csv_has_every_column_one_per_question_and_survives_any_alphabet(client):
    event = _event_with_people()
    url = _signed_in(client, event)
    response = client.get(url + ".csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{event.slug}-registrations.csv"'
    header, *rows = _csv(response)
    assert header == export.FIXED_HEADERS + ["Sessions", "Guests"]
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(by_name) == ["Шевченко Олена", "李娜", "Ivan Sidorov"]
    olena, li, ivan = by_name.values()
    assert (olena["Country code"], olena["Sessions"], olena["Guests"]) == ("UA", "A; C", "-1")
    assert li["Affiliation"] == "清华大学" and li["Checked in at (UTC)"].endswith("+00:00")
    assert (ivan["Status"], ivan["Waiting-list number"], ivan["Category"]) == ("waitlisted", "1", "student")
    assert olena["Registered at (UTC)"].endswith("+00:00") and olena["Checked in at (UTC)"] == ""


@both_databases
def test_the_export_honours_the_filters_of_the_list_and_refuses_ones_it_does_not_understand(client):
    event = _event_with_people()
    url = _signed_in(client, event)
    names = [row[1] for row in _csv(client.get(url + ".csv?status=confirmed&sort=name"))[1:]]
    assert names == sorted(["Шевченко Олена", "李娜"])
    assert [row[1] for row in _csv(client.get(url + ".csv?q=SIDOROV"))[1:]] == ["Ivan Sidorov"]
    assert [row[1] for row in _csv(client.get(url + ".csv?checked_in=yes"))[1:]] == ["李娜"]
    refused = client.get(url + ".csv?status=everything")
    assert refused.status_code == 400 and "Status: Not a valid choice." in refused.get_data(as_text=True)


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused_in_csv(client):
    event = make_event(capacity=None)
    note = add_question(event, QuestionKind.long_text, "=Note")
    for n, text in enumerate(HOSTILE[:4], start=1):
        services.register(event, applicant(n, name=text, affiliation=text, answers={str(note.id): text}))
    url = _signed_in(client, event)
    header, *rows = _csv(client.get(url + ".csv"))
    assert header[-1] == "'=Note"
    for row, text in zip(rows, HOSTILE[:4], strict=True):
        assert (row[1], row[4], row[-1]) == ("'" + text,) * 3
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row


@pytest.mark.parametrize("text", HOSTILE)
def test_every_formula_start_gets_an_apostrophe_and_plain_text_does_not(text):
    assert export.defused(text) == "'" + text
    assert export.defused("Anna " + text) == "Anna " + text


def test_xlsx_holds_the_same_rows_as_strings_never_formulas(client):
    event = make_event(capacity=None)
    note = add_question(event, QuestionKind.text, "Note")
    guests = add_question(event, QuestionKind.number, "Guests")
    for n, text in enumerate(HOSTILE[:4], start=1):
        services.register(event, applicant(n, name=f"Person {n}", affiliation=text,
                                           answers={str(note.id): text, str(guests.id): n}))
    services.register(event, applicant(9, name="Шевченко Олена", affiliation="清华大学"))
    url = _signed_in(client, event)
    response = client.get(url + ".xlsx")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"].endswith(f'filename="{event.slug}-registrations.xlsx"')
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=False))
    assert [c.value for c in rows[0]] == export.FIXED_HEADERS + ["Note", "Guests"]
    for row, text in zip(rows[1:5], HOSTILE[:4], strict=True):
        affiliation, answer = row[4], row[12]
        assert affiliation.value == text and affiliation.data_type == "s"
        assert answer.value == text and answer.data_type == "s"
    assert [r[13].value for r in rows[1:5]] == [1, 2, 3, 4]
    assert (rows[5][1].value, rows[5][4].value) == ("Шевченко Олена", "清华大学")
    for row in rows:
        assert all(cell.data_type != "f" for cell in row)


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_five_thousand_rows_stream_from_a_server_side_cursor(app, postgresql_url, mail_dir):
    import psycopg
    import sqlalchemy as sa

    event = make_event(capacity=None)
    add_question(event, QuestionKind.text, "Team")
    for start in range(0, 5000, 1000):
        bulk_registrations(event, 1000, start=start)
    make_organiser(ORGANISER, event)
    # A second app, outside the test's app context: each request gets a context and session of its own,
    # as in production, where the CSV is written after the view has returned and its session is closed.
    served = make_app(postgresql_url, MAIL_FILE_DIR=str(mail_dir))
    with served.app_context():
        engine = db.engine
    client = served.test_client()
    sign_in(client, ORGANISER)
    url = f"/manage/events/{event.id}/registrations"
    cursors = []

    def note_cursor(_conn, cursor, statement, *_args) -> None:
        if "FROM registration" in statement and "ORDER BY" in statement:
            cursors.append(type(cursor))

    sa.event.listen(engine, "before_cursor_execute", note_cursor)
    try:
        response = client.get(url + ".csv?sort=name", buffered=False)
        assert response.is_streamed
        chunks = list(response.response)
        response.close()
    finally:
        sa.event.remove(engine, "before_cursor_execute", note_cursor)
        engine.dispose()
    assert cursors == [psycopg.ServerCursor], "rows come from a server-side cursor, a batch at a time"
    assert len(chunks) >= 5 and max(len(c) for c in chunks) < 2 * export.CSV_CHUNK
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline="")))
    assert len(rows) == 5001 and rows[1][1] == "Person 0000" and rows[-1][1] == "Person 4999"
