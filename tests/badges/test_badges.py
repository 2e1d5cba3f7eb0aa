"""An organiser prints name badges for a conference with attendees from Russia, China and Germany."""

import io
import re
from urllib.parse import urlencode

import pytest
import zxingcpp
from pypdf import PdfReader

from eventsys.database import db
from eventsys.registration import handling, services
from eventsys.registration.models import Registration
from tests.conftest import both_databases
from tests.factories import applicant, make_event, make_organiser, sign_in
from tests.formpage import read_form

ORGANISER = "badges@hit.example"


def _pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def _qr_payloads(pdf: bytes) -> list[str]:
    """What a scanner reads from every image in the PDF, page by page."""
    payloads = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            payloads += [found.text for found in zxingcpp.read_barcodes(image.image)]
    return payloads


@pytest.fixture
def conference(app):
    """A conference in Harbin with a Russian, a Chinese and a German attendee, and one cancelled."""
    event = make_event(title="International Conference on Spacecraft Dynamics", timezone="Asia/Shanghai")
    people = {
        "ivan": services.register(event, applicant(1, name="Иван Петров", name_latin="Ivan Petrov",
                                                   affiliation="Bauman University", country="RU",
                                                   category="faculty")),
        "li": services.register(event, applicant(2, name="李娜", name_latin="Li Na", country="CN",
                                                 affiliation="Harbin Institute of Technology",
                                                 category="student")),
        "anna": services.register(event, applicant(3, name="Anna <b>Schmidt</b>", country="DE",
                                                   affiliation="TU München & <i>DLR</i>",
                                                   category="industry")),
        "gone": services.register(event, applicant(4, name="Gone Person", country="FR")),
    }
    services.cancel_registration(people["gone"].id)
    handling.check_in(event.id, db.session.get(Registration, people["li"].id), outside_days_confirmed=True)
    make_organiser(ORGANISER, event)
    return event, people


@pytest.fixture
def organiser(app, conference):
    client = app.test_client()
    sign_in(client, ORGANISER)
    return client


def _badges(client, event, **choices):
    return client.get(f"/manage/events/{event.id}/badges?" + urlencode({"layout": "sheet", **choices}))


@both_databases
def test_a_sheet_of_badges_prints_every_confirmed_attendee_in_their_own_script_with_a_scannable_code(
        organiser, conference):
    event, people = conference
    form = organiser.get(f"/manage/events/{event.id}/badges")
    assert form.status_code == 200 and "One badge per page (A6)" in form.get_data(as_text=True)

    answer = _badges(organiser, event)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Cache-Control"] == "no-store"
    pdf = answer.get_data()
    pages = _pages(pdf)
    assert len(pages) == 1  # three badges on one sheet of eight
    text = pages[0]
    assert "Иван Петров" in text and "Ivan Petrov" in text
    assert "李娜" in text and "Li Na" in text
    assert "Anna <b>Schmidt</b>" in text and "TU München & <i>DLR</i>" in text  # printed as typed
    assert "Gone Person" not in text  # cancelled: no badge
    assert "Russia" in text and "China" in text and "Germany" in text
    assert "Faculty / researcher" in text and "Student" in text and "Industry" in text
    assert "International Conference on Spacecraft Dynamics" in text
    for person in ("ivan", "li", "anna"):
        assert people[person].checkin_code_shown in text
    codes = {people[p].checkin_code for p in ("ivan", "li", "anna")}
    assert set(_qr_payloads(pdf)) == codes


def test_one_badge_per_page_gives_a_page_each_and_the_filters_choose_who(organiser, conference):
    event, people = conference
    a6 = _pages(_badges(organiser, event, layout="a6").get_data())
    assert len(a6) == 3
    students = _pages(_badges(organiser, event, layout="a6", category="student").get_data())
    assert len(students) == 1 and "李娜" in students[0]
    russians = _pages(_badges(organiser, event, country="RU").get_data())
    assert "Иван Петров" in russians[0] and "李娜" not in russians[0]
    arrived = _pages(_badges(organiser, event, checked_in="yes").get_data())
    assert "李娜" in arrived[0] and "Иван Петров" not in arrived[0]
    not_yet = _pages(_badges(organiser, event, checked_in="no").get_data())
    assert "Иван Петров" in not_yet[0] and "李娜" not in not_yet[0]


def test_nine_badges_fill_a_sheet_and_start_a_second(organiser, conference):
    event, _people = conference
    for number in range(10, 16):
        services.register(event, applicant(number, name=f"Guest {number}"))
    assert len(_pages(_badges(organiser, event).get_data())) == 2


def test_an_empty_choice_says_so_on_the_form_instead_of_an_empty_pdf(organiser, conference):
    event, _people = conference
    answer = _badges(organiser, event, country="JP")
    assert answer.status_code == 422 and answer.mimetype == "text/html"
    assert "Nobody matches these choices" in answer.get_data(as_text=True)
    unknown = _badges(organiser, event, status="everyone")
    assert unknown.status_code == 422 and "Not a valid choice" in unknown.get_data(as_text=True)


def test_too_many_badges_for_one_file_is_refused_with_the_limit(organiser, conference, monkeypatch):
    from eventsys.badges import layout

    event, _people = conference
    monkeypatch.setattr(layout, "BADGE_LIMIT", 2)
    answer = _badges(organiser, event)
    assert answer.status_code == 422
    assert "select 3 people; one file holds at most 2 badges" in answer.get_data(as_text=True)


def test_the_registration_page_links_to_one_persons_badge_on_a_page_of_its_own(organiser, conference):
    event, people = conference
    ivan = people["ivan"]
    page = organiser.get(f"/manage/events/{event.id}/registrations/{ivan.id}").get_data(as_text=True)
    link = f"/manage/events/{event.id}/registrations/{ivan.id}/badge"
    assert f'href="{link}"' in page and "Ivan Petrov" in page
    nav = organiser.get(f"/manage/events/{event.id}/badges").get_data(as_text=True)
    assert f'href="/manage/events/{event.id}/badges"' in nav
    pdf = organiser.get(link).get_data()
    pages = _pages(pdf)
    assert len(pages) == 1 and "Иван Петров" in pages[0] and "李娜" not in pages[0]
    assert _qr_payloads(pdf) == [ivan.checkin_code]


def test_another_events_organiser_gets_no_badges(app, conference):
    event, people = conference
    other_event = make_event()
    make_organiser("other@example.org", other_event)
    client = app.test_client()
    sign_in(client, "other@example.org")
    assert client.get(f"/manage/events/{event.id}/badges?layout=sheet").status_code == 403
    assert client.get(f"/manage/events/{event.id}/registrations/{people['ivan'].id}/badge").status_code == 403
    # An id of their own event's URL that is another event's registration: unknown.
    mine = f"/manage/events/{other_event.id}/registrations/{people['ivan'].id}/badge"
    assert client.get(mine).status_code == 404
    assert app.test_client().get(f"/manage/events/{event.id}/badges").status_code in (302, 401)


def test_the_badge_form_keeps_the_choices_it_was_given(organiser, conference):
    event, _people = conference
    answer = _badges(organiser, event, country="JP", category="student", q="Petrov")
    page = answer.get_data(as_text=True)
    assert read_form(page).fields["q"] == "Petrov"
    assert '<option selected value="student">' in page and '<option selected value="JP">' in page
