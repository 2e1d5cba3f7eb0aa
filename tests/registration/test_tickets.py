"""The PDF ticket: what it prints, in whose language, and who can download it from their own page."""

import io

import pytest
from pypdf import PdfReader

from eventsys.database import db, utcnow
from eventsys.events.models import EventMode
from eventsys.registration import services, tickets
from eventsys.retention.services import placeholder_checkin_code
from eventsys.timezones import in_zone
from tests.conftest import both_databases
from tests.factories import applicant, make_event


def _printed(pdf: bytes) -> str:
    """The ticket's text, its whitespace as one space (a PDF breaks lines where it lays them out)."""
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1, "the ticket is one page"
    return " ".join(reader.pages[0].extract_text().split())


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_ticket_says_what_the_door_and_the_holder_need_in_the_holder_s_language(app):
    event = make_event(title="Международный симпозиум по умным материалам", venue="Главный корпус, Харбин",
                       timezone="Asia/Shanghai")
    registration = services.register(event, applicant(1, name="Иван Петров", locale="ru", category="student"))
    printed = _printed(tickets.ticket_pdf(registration))
    assert "Международный симпозиум по умным материалам" in printed
    assert "Иван Петров" in printed
    assert "Студент" in printed, "the category, in Russian"
    assert _flat(in_zone(event.starts_at, event.timezone, "ru")) in printed, "in the event's zone, named"
    assert "Пекин" in printed and "GMT+08:00" in printed
    assert "Главный корпус, Харбин" in printed
    assert registration.checkin_code_shown in printed
    assert f"http://events.test/r/{registration.token}" in printed.replace(" ", "")


def test_a_chinese_registrant_s_ticket_is_in_chinese(app):
    event = make_event(title="智能材料国际研讨会")
    registration = services.register(event, applicant(1, name="李伟", locale="zh"))
    printed = _printed(tickets.ticket_pdf(registration))
    assert "李伟" in printed and "智能材料国际研讨会" in printed
    assert "北京" in printed, "the zone named in Chinese"
    assert _flat(in_zone(event.starts_at, event.timezone, "zh")) in printed


def test_names_and_titles_print_as_written_never_as_markup(app):
    event = make_event(title="Forum <b>2027</b> & more")
    registration = services.register(event, applicant(1, name='<img src="x"> O\'Brien & Co'))
    printed = _printed(tickets.ticket_pdf(registration))
    assert "Forum <b>2027</b> & more" in printed
    assert '<img src="x"> O\'Brien & Co' in printed


@pytest.mark.parametrize(("title", "venue", "name", "locale"), [
    ("Symposium on " + "very " * 57 + "small satellites", "Building " * 33,
     "Maximilian Alexander von Hohenberg-Schwarzenau", "en"),
    ("智能材料国际研讨会" * 33, "哈尔滨工业大学主楼" * 33, "李伟" * 60, "zh"),
])
def test_the_longest_title_venue_and_name_still_fit_one_page(app, title, venue, name, locale):
    event = make_event(title=title, venue=venue)
    registration = services.register(event, applicant(1, name=name, locale=locale))
    assert registration.checkin_code_shown in _printed(tickets.ticket_pdf(registration))


def test_the_same_registration_always_gives_the_same_file(app):
    registration = services.register(make_event(), applicant(1, name="李伟", locale="zh"))
    assert tickets.ticket_pdf(registration) == tickets.ticket_pdf(registration)


@both_databases
def test_a_confirmed_attendee_downloads_their_ticket_from_their_page(app, client):
    event = make_event(slug="spring-school-2027")
    registration = services.register(event, applicant(1, name="Anna Schmidt"))
    page = client.get(f"/r/{registration.token}").get_data(as_text=True)
    assert "Download ticket (PDF)" in page
    assert f'href="/r/{registration.token}/ticket.pdf"' in page

    download = client.get(f"/r/{registration.token}/ticket.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Cache-Control"] == "no-store", "a personal document: no cache keeps it"
    assert download.headers["Content-Disposition"] == "attachment; filename=ticket-spring-school-2027.pdf"
    printed = _printed(download.get_data())
    assert "Anna Schmidt" in printed and registration.checkin_code_shown in printed


def test_no_ticket_without_a_seat_at_a_door(app, client):
    event = make_event(capacity=1)
    seated = services.register(event, applicant(1))
    waiting = services.register(event, applicant(2))
    online = services.register(make_event(mode=EventMode.online, venue=""), applicant(3))
    for registration in (waiting, online):
        assert "Download ticket (PDF)" not in client.get(f"/r/{registration.token}").get_data(as_text=True)
        assert client.get(f"/r/{registration.token}/ticket.pdf").status_code == 404
    assert client.get("/r/no-such-token/ticket.pdf").status_code == 404

    services.cancel_registration(seated.id)
    assert client.get(f"/r/{seated.token}/ticket.pdf").status_code == 404
    assert client.get(f"/r/{waiting.token}/ticket.pdf").status_code == 200, "moved up into the freed seat"


def test_an_anonymised_registration_has_no_ticket(app):
    registration = services.register(make_event(), applicant(1))
    assert tickets.has_ticket(registration)
    registration.checkin_code = placeholder_checkin_code(registration.id)
    registration.event.anonymised_at = utcnow()
    db.session.commit()
    assert not tickets.has_ticket(registration)
