"""Importing speakers from a CSV file, in the browser and on the command line: all or nothing, or valid."""

import io

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.speakers import importing
from eventsys.speakers.cli import import_speakers_command
from eventsys.speakers.models import Institution, Speaker
from tests.conftest import both_databases
from tests.factories import csrf_token, make_organiser, sign_in
from tests.formpage import read_form

ORGANISER = "office@astro.example.edu"
HEADER = "name,title,email,institution,country,honours,expertise,biography\n"
GOOD_ROWS = (
    "Jinsong Leng,Academician,leng@hit.example.edu,Harbin Institute of Technology,CN,"
    "IEEE Fellow;WORLD FELLOW of ICCM,shape-memory polymers;smart materials,\"Works in Harbin, China.\"\n"
    "Anna Visser,Prof.,visser@tudelft.example.nl,,Netherlands,,small satellites,\n"
)
NARNIA_ROW = "Mr Tumnus,,tumnus@example.org,,Narnia,,,\n"


@pytest.fixture
def office(client):
    """A signed-in organiser; Harbin Institute of Technology is already in the directory."""
    db.session.add(Institution(name="Harbin Institute of Technology", country="CN", partner=True))
    db.session.commit()
    make_organiser(ORGANISER)
    sign_in(client, ORGANISER)
    return client


def _upload(client, content: bytes | str, valid_only: bool = False, filename: str = "speakers.csv"):
    data = content.encode() if isinstance(content, str) else content
    fields = {"csrf_token": csrf_token(client, "/manage/speakers/import"),
              "file": (io.BytesIO(data), filename)}
    if valid_only:
        fields["valid_only"] = "y"
    return client.post("/manage/speakers/import", data=fields, content_type="multipart/form-data")


def _speakers() -> dict[str, Speaker]:
    db.session.expire_all()
    return {speaker.name: speaker for speaker in db.session.scalars(sa.select(Speaker))}


@both_databases
def test_a_clean_file_is_imported_and_reported_row_by_row(app, office):
    response = _upload(office, "\ufeff" + HEADER + GOOD_ROWS)  # Excel's "CSV UTF-8" starts with a BOM
    assert response.status_code == 200
    assert "Imported. Speakers created: 2, updated: 0, skipped: 0." in response.text
    report = response.text.split('id="report"', 1)[1]
    assert "<td>2</td>" in report and "<td>3</td>" in report and report.count("OK: new speaker") == 2
    speakers = _speakers()
    leng = speakers["Jinsong Leng"]
    assert (leng.title, leng.country) == ("Academician", "CN")
    assert leng.institution.name == "Harbin Institute of Technology"
    assert sorted(leng.honours) == ["IEEE Fellow", "WORLD FELLOW of ICCM"]
    assert leng.expertise == ["shape-memory polymers", "smart materials"]
    assert leng.biography == "Works in Harbin, China."
    assert speakers["Anna Visser"].country == "NL" and speakers["Anna Visser"].institution is None


@both_databases
def test_one_bad_row_means_nothing_is_imported_by_default(app, office):
    content = HEADER + GOOD_ROWS + NARNIA_ROW + "Anna Twin,,VISSER@tudelft.example.nl,Hogwarts,NL,,,\n"
    response = _upload(office, content)
    assert response.status_code == 422
    assert "Nothing was imported: 2 of 4 rows have errors." in response.text
    report = response.text.split('id="report"', 1)[1]
    assert "country &#39;Narnia&#39; is not a country" in report
    assert "email visser@tudelft.example.nl is also on row 3" in report
    assert "institution &#39;Hogwarts&#39; is not in the directory" in report
    assert _speakers() == {}


@both_databases
def test_the_valid_rows_are_imported_when_asked(app, office):
    response = _upload(office, HEADER + GOOD_ROWS + NARNIA_ROW, valid_only=True)
    assert response.status_code == 200
    assert "Imported. Speakers created: 2, updated: 0, skipped: 0; invalid rows left out: 1." in response.text
    assert "country &#39;Narnia&#39; is not a country" in response.text
    assert sorted(_speakers()) == ["Anna Visser", "Jinsong Leng"]


def test_a_known_address_updates_that_speaker_and_empty_cells_keep_what_is_stored(app, office):
    _upload(office, HEADER + GOOD_ROWS)
    update = HEADER + "Jinsong Leng,,LENG@hit.example.edu,,China,Nobel Laureate,,\n"
    response = _upload(office, update)
    assert "Imported. Speakers created: 0, updated: 1, skipped: 0." in response.text
    assert "OK: updates Academician Jinsong Leng" in response.text
    leng = _speakers()["Jinsong Leng"]
    assert leng.honours == ["Nobel Laureate"]
    assert leng.title == "Academician" and leng.institution.name == "Harbin Institute of Technology"
    assert leng.expertise == ["shape-memory polymers", "smart materials"]
    assert db.session.scalar(sa.select(sa.func.count(Speaker.id))) == 2


def test_rows_without_email_are_not_doubled_when_the_file_comes_again(app, office):
    content = HEADER + "Wang Lei,Dr.,,,CN,,,\n"
    assert "Speakers created: 1," in _upload(office, content).text
    again = _upload(office, content)
    assert "Nothing was imported: no row had anything to add or change." in again.text
    assert "skipped: a speaker of this name is already in the directory" in again.text
    twice_in_file = _upload(office, HEADER + "Li Na,,,,CN,,,\nli  na,,,,CN,,,\n")
    assert "same name as row 2, and no email to tell them apart" in twice_in_file.text


def test_institutions_are_created_when_the_file_gives_their_country(app, office):
    content = ("name,email,institution,institution_country,country\n"
               "Sergei Yolkin,yolkin@example.ru,Samara University,Russia,RU\n"
               "Olga Petrova,petrova@example.ru,samara university,,RU\n"
               "Bad Place,bad@example.org,Atlantis Academy,Atlantis,GR\n")
    response = _upload(office, content, valid_only=True)
    assert "Institutions added: Samara University" in response.text
    assert "OK: new speaker; adds the institution Samara University" in response.text
    assert "institution_country &#39;Atlantis&#39; is not a country" in response.text
    assert list(db.session.scalars(sa.select(Institution.name).order_by(Institution.name))) == [
        "Harbin Institute of Technology", "Samara University"
    ]
    speakers = _speakers()
    assert speakers["Olga Petrova"].institution_id == speakers["Sergei Yolkin"].institution_id


@pytest.mark.parametrize(("content", "filename", "message"), [
    ("name;country\nLeng;CN\n".encode("utf-16"), "speakers.csv", "The file is not UTF-8 text."),
    (b"\xff\xfe\x00garbage", "speakers.csv", "The file is not UTF-8 text."),
    (HEADER.encode() + GOOD_ROWS.encode(), "speakers.xlsx", "Choose a .csv file (UTF-8)."),
    (b"name,emial,country\nLeng,x@y.org,CN\n", "speakers.csv", "Unknown columns: emial."),
    (b"name,email\nLeng,x@y.org\n", "speakers.csv", "The header has no country column."),
    (HEADER.encode(), "speakers.csv", "The file has a header but no speakers."),
])
def test_a_file_that_is_no_speaker_list_is_refused_at_the_file_field(app, office, content, filename, message):
    response = _upload(office, content, filename=filename)
    assert response.status_code == 422
    [error] = read_form(response.text).errors_by_field["file"]
    assert error.startswith(message)
    assert _speakers() == {}


def test_html_and_formulas_in_the_file_are_shown_as_text(app, office):
    content = HEADER + '"<b>Bold</b> =1+2",,,,CN,,,\n' + '"=HYPERLINK(""http://x"")",,,,XX,,,\n'
    response = _upload(office, content)
    assert "<b>Bold</b>" not in response.text and "&lt;b&gt;Bold&lt;/b&gt; =1+2" in response.text
    assert "=HYPERLINK(&#34;http://x&#34;)" in response.text


def test_the_report_names_each_problem_of_a_row(app):
    report = importing.import_speakers((HEADER + ",Dr.,not-an-address,,,,,\n" + "x" * 3).encode())
    assert report.rows[0].errors == [
        "name is empty", "country is empty", "email 'not-an-address' is not a valid email address",
    ]
    assert report.rows[1].errors == ["country is empty"]
    assert not report.imported


def _cli(runner, tmp_path, content: str, *options: str):
    path = tmp_path / "speakers.csv"
    path.write_text(content, encoding="utf-8")
    return runner.invoke(import_speakers_command, [str(path), *options])


def test_the_command_line_imports_all_or_nothing(app, runner, tmp_path):
    db.session.add(Institution(name="Harbin Institute of Technology", country="CN"))
    db.session.commit()
    refused = _cli(runner, tmp_path, HEADER + GOOD_ROWS + NARNIA_ROW)
    assert refused.exit_code == 1
    assert "row 4: country 'Narnia' is not a country" in refused.output
    assert "Nothing was imported: 1 of 3 rows have errors." in refused.output
    assert _speakers() == {}

    partial = _cli(runner, tmp_path, HEADER + GOOD_ROWS + NARNIA_ROW, "--valid-only")
    assert partial.exit_code == 0, partial.output
    assert "row 2: OK, new speaker" in partial.output
    assert "Imported. Speakers created: 2, updated: 0, skipped: 0; invalid rows left out: 1." in (
        partial.output
    )
    assert sorted(_speakers()) == ["Anna Visser", "Jinsong Leng"]

    unreadable = _cli(runner, tmp_path, "nothing useful here\n")
    assert unreadable.exit_code == 1 and "Unknown columns: nothing useful here" in unreadable.output
