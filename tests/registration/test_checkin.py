"""The check-in desk, as the person at the entrance uses it: scan, search, check in, watch the counts."""

import re
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.registration import checkin, services
from eventsys.registration.models import Registration
from tests.conftest import both_databases
from tests.factories import applicant, csrf_token, make_organiser, make_running_event, sign_in
from tests.querycount import counting_statements


@pytest.fixture
def desk(app, client):
    """An event with capacity 2 (two seated, one waiting) and its organiser signed in at the desk."""
    event = make_running_event(title="Forum on Space Robotics", capacity=2, timezone="Europe/Moscow")
    make_organiser("desk@example.org", event)
    sign_in(client, "desk@example.org")
    people = [services.register(event, applicant(n, name=name)) for n, name in
              enumerate(["Olga Petrova", "Chen Jing", "Pierre Martin"], start=1)]
    return Desk(client, event, people)


class Desk:
    """The desk page of one event, driven through its form like a browser."""

    def __init__(self, client, event, people):
        self.client, self.event, self.people = client, event, people
        self.url = f"/manage/events/{event.id}/checkin"

    def post(self, path: str = "", **fields):
        """Submit a form of the desk page (with its CSRF token) to the desk URL + path."""
        fields["csrf_token"] = csrf_token(self.client, self.url)
        return self.client.post(self.url + path, data=fields)

    def scan(self, text: str):
        """Type or scan text into the input and submit; returns the page the redirect leads to."""
        answer = self.post(code=text)
        assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
        return self.client.get(answer.location).get_data(as_text=True)

    def page(self, query: str = "") -> str:
        return self.client.get(self.url, query_string={"q": query} if query else None).get_data(as_text=True)


def _counts_line(page: str) -> str:
    return " ".join(re.search(r'id="desk-counts"[^>]*>(.*?)</p>', page, re.S).group(1).split())


def _result(page: str) -> str | None:
    """The desk's verdict on the last scan: its colour and headline, 'ok: Checked in: …'."""
    match = re.search(r'class="notice (\w+ )?desk-result".*?<span id="desk-headline">(.*?)</span>',
                      page, re.S)
    return match and f"{(match.group(1) or 'info ').strip()}: " + " ".join(match.group(2).split())


def _person(page: str) -> tuple[str, str, str]:
    """Who the desk's verdict is about, as shown large: name, category, institution."""
    def text(element_id):
        match = re.search(rf'id="{element_id}"[^>]*>(.*?)<', page, re.S)
        return match and " ".join(match.group(1).split())
    return text("desk-name"), text("desk-category"), text("desk-affiliation")


def _arrived(registration) -> bool:
    arrived_at = sa.select(Registration.checked_in_at).where(Registration.id == registration.id)
    return db.session.scalar(arrived_at) is not None


@both_databases
def test_scanning_a_code_checks_the_person_in_once_and_a_second_scan_says_when(desk):
    olga = desk.people[0]
    first = desk.page()
    assert 'name="code" autofocus' in first
    assert _counts_line(first) == '<strong id="checked-in-count">0</strong> checked in / ' \
                                  '<strong id="confirmed-count">2</strong> confirmed'

    page = desk.scan(olga.token + "\n")  # a USB scanner ends with Enter
    assert _result(page) == "ok: Checked in: Olga Petrova"
    assert 'id="checked-in-count">1<' in page
    assert 'name="code" autofocus' in page, "ready for the next scan"
    assert _result(desk.page()) is None, "the outcome is shown once, not on every reload"

    page = desk.scan(olga.token)
    db.session.expire_all()
    arrived_at = db.session.get(Registration, olga.id).checked_in_at
    local = arrived_at.astimezone(ZoneInfo("Europe/Moscow")).strftime("%H:%M")
    assert _result(page) == f"warn: Already checked in at {local} (Europe/Moscow)"
    assert _person(page) == ("Olga Petrova", "Faculty / researcher",
                             "Bauman Moscow State Technical University")
    assert 'id="checked-in-count">1<' in page


@both_databases
def test_codes_of_another_event_and_people_without_a_seat_are_refused_with_the_reason(desk):
    pierre = desk.people[2]
    stranger = services.register(make_running_event(), applicant(9, name="Elsewhere Person"))
    pending = services.register(make_running_event(requires_approval=True), applicant(10))

    assert _result(desk.scan(stranger.token)) == "bad: This ticket is for another event."
    assert _result(desk.scan(pierre.token)) == "bad: Not admitted: this registration is on the waiting list."
    assert _result(desk.scan(pending.token)) == "bad: This ticket is for another event."
    assert not any(_arrived(r) for r in (stranger, pierre, pending))
    assert "Elsewhere Person" not in desk.page(), "nothing about other events' registrants is shown"


def test_pending_and_cancelled_registrations_of_this_event_are_refused(app, client):
    event = make_running_event(requires_approval=True)
    make_organiser("desk@example.org", event)
    sign_in(client, "desk@example.org")
    desk = Desk(client, event, [])
    pending = services.register(event, applicant(1))
    assert _result(desk.scan(pending.token)) == "bad: Not admitted: this registration is awaiting approval."
    services.cancel_registration(pending.id)
    assert _result(desk.scan(pending.token)) == "bad: Not admitted: this registration is cancelled."


@both_databases
def test_searching_part_of_a_name_finds_the_person_and_the_button_checks_them_in(desk):
    chen = desk.people[1]
    page = desk.scan("cHEn")  # any text that is nobody's code is a search
    assert "Chen Jing" in page and "Olga Petrova" not in page
    button = f'action="/manage/events/{desk.event.id}/checkin/{chen.id}"'
    assert button in page

    answer = desk.post(f"/{chen.id}")
    assert answer.status_code == 303 and answer.location.endswith(desk.url)
    page = desk.client.get(answer.location).get_data(as_text=True)
    assert _result(page) == "ok: Checked in: Chen Jing"
    assert _arrived(chen)

    page = desk.page("chen")
    assert button not in page, "no button for someone already in"
    assert "confirmed" in page and re.search(r"Arrived at \d\d:\d\d \(Europe/Moscow\)", page)


@both_databases
def test_search_ignores_case_in_cyrillic_too(app, client):
    event = make_running_event()
    make_organiser("desk@example.org", event)
    sign_in(client, "desk@example.org")
    desk = Desk(client, event, [services.register(event, applicant(1, name="Ёлкина Анна"))])
    assert "Ёлкина Анна" in desk.page("ЁЛКИНА")


def test_search_finds_by_email_shows_status_and_offers_no_button_to_people_without_a_seat(desk):
    pierre = desk.people[2]
    page = desk.page("ATTENDEE3@example")
    assert "Pierre Martin" in page and "On the waiting list" in page
    assert f"/checkin/{pierre.id}\"" not in page
    assert 'id="no-matches"' in desk.page("nobody by this name")
    assert 'id="no-matches"' in desk.page("%"), "a typed % is a character, not a wildcard"


def test_search_lists_at_most_twenty_and_says_there_are_more(app, client):
    event = make_running_event(capacity=None)
    make_organiser("desk@example.org", event)
    sign_in(client, "desk@example.org")
    for n in range(1, 23):
        services.register(event, applicant(n, name=f"Ivanov {n:02d}"))
    page = Desk(client, event, []).page("ivanov")
    assert page.count('<li class="card">') == 20
    assert "Only the first 20 matches are shown" in page


def test_the_search_page_reads_the_same_statements_for_one_match_or_many(app, client):
    event = make_running_event(capacity=None)
    make_organiser("desk@example.org", event)
    sign_in(client, "desk@example.org")
    desk = Desk(client, event, [])
    services.register(event, applicant(1, name="Alone Person"))
    for n in range(2, 6):
        services.register(event, applicant(n, name=f"Many Person {n}"))
    desk.page("alone")
    with counting_statements() as one:
        assert desk.page("alone").count('<li class="card">') == 1
    with counting_statements() as many:
        assert desk.page("many").count('<li class="card">') == 4
    assert len(one) == len(many)


def test_an_empty_submission_is_answered_next_to_the_input(desk):
    answer = desk.post(code="  ")
    assert answer.status_code == 422
    assert "Scan a code, or type part of a name or email." in answer.get_data(as_text=True)
    answer = desk.post(code="x" * 201)
    assert answer.status_code == 422


def test_a_scan_without_the_csrf_token_is_refused(desk):
    answer = desk.client.post(desk.url, data={"code": desk.people[0].token})
    assert answer.status_code == 400
    assert not _arrived(desk.people[0])


@both_databases
def test_the_counts_endpoint_follows_arrivals(desk):
    counts_url = f"{desk.url}/counts"
    assert desk.client.get(counts_url).get_json() == {"checked_in": 0, "confirmed": 2}
    desk.scan(desk.people[0].token)
    desk.scan(desk.people[0].token)
    assert desk.client.get(counts_url).get_json() == {"checked_in": 1, "confirmed": 2}
    checkin.check_in_by_id(desk.event.id, desk.people[1].id)
    assert desk.client.get(counts_url).get_json() == {"checked_in": 2, "confirmed": 2}


def test_an_organiser_of_another_event_is_refused_at_this_desk(desk, app):
    make_organiser("other@example.org", make_running_event())
    olga = desk.people[0]
    # A fresh app context: Flask-Login caches the signed-in user on `g`, which the test's context would share.
    with app.app_context():
        other = app.test_client()
        sign_in(other, "other@example.org")
        token = csrf_token(other, "/manage/")  # the sign-out form of any page carries one
        assert other.get(desk.url).status_code == 403
        assert other.get(f"{desk.url}/counts").status_code == 403
        assert other.post(desk.url, data={"csrf_token": token, "code": olga.token}).status_code == 403
        assert other.post(f"{desk.url}/{olga.id}", data={"csrf_token": token}).status_code == 403
    assert not _arrived(olga)


def test_the_button_answers_404_to_a_registration_of_another_event(desk, app):
    # As for an unknown id: the desk does not tell that another event's registration exists.
    stranger = services.register(make_running_event(), applicant(9))
    answer = desk.post(f"/{stranger.id}")
    assert answer.status_code == 404
    assert not _arrived(stranger)


@both_databases
def test_two_desks_scanning_the_same_code_at_once_check_in_exactly_once(app):
    event = make_running_event()
    registration = services.register(event, applicant(1))
    event_id, token = event.id, registration.token
    db.session.commit()
    barrier = threading.Barrier(4)
    first_times, failures = [], []

    def scan_at_a_desk():
        with app.app_context():
            try:
                barrier.wait()
                first_times.append(checkin.scan(event_id, token).first_time)
            except Exception as error:  # reported below: an exception in a thread would be lost
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scan_at_a_desk) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(first_times) == [False, False, False, True]


@both_databases
def test_a_scan_before_the_event_asks_first_and_a_mistake_can_be_undone_at_the_desk(app, client):
    starts = utcnow().replace(microsecond=0) + timedelta(days=101)
    event = make_running_event(title="Symposium on Orbital Debris", timezone="Asia/Shanghai",
                               starts_at=starts, ends_at=starts + timedelta(days=1))
    make_organiser("desk@example.org", event)
    sign_in(client, "desk@example.org")
    desk = Desk(client, event, [services.register(event, applicant(1, name="Li Wei"))])
    li = desk.people[0]

    page = desk.scan(li.checkin_code_shown.lower())
    assert _result(page) == "warn: The event does not run today. Check in anyway?"
    days = " ".join(re.search(r'id="desk-days">(.*?)</p>', page, re.S).group(1).split())
    assert days.startswith("The event runs ") and "(Asia/Shanghai)" in days
    assert not _arrived(li), "asking lets nobody in"
    assert 'id="checked-in-count">0<' in page

    answer = desk.post(f"/{li.id}", outside_days_confirmed="1")
    assert _result(desk.client.get(answer.location).get_data(as_text=True)) == "ok: Checked in: Li Wei"
    assert _arrived(li)

    answer = desk.post(f"/{li.id}/undo")
    assert answer.status_code == 303
    page = desk.client.get(answer.location).get_data(as_text=True)
    assert _result(page) == "info: Check-in taken back: Li Wei"
    assert not _arrived(li)
    assert 'id="checked-in-count">0<' in page
    page = desk.client.get(desk.post(f"/{li.id}/undo").location).get_data(as_text=True)
    assert _result(page) == "bad: Li Wei was not checked in."

    stranger = services.register(make_running_event(), applicant(2))
    assert desk.post(f"/{stranger.id}/undo").status_code == 404, "not this event's"
    no_token = desk.client.post(f"{desk.url}/{li.id}/undo")
    assert no_token.status_code == 400, "undo needs the form's CSRF token"
