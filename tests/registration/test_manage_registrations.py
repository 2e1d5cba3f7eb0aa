"""Organisers at the registrations pages of their event: list, detail, actions, answers; both databases."""

import html
import re

import pytest
import sqlalchemy as sa

from eventsys.countries import country_name
from eventsys.database import db, utcnow
from eventsys.mail.models import OutboundEmail
from eventsys.registration import handling, services
from eventsys.registration.models import AttendeeCategory, QuestionKind, Registration, RegistrationStatus
from tests.conftest import both_databases
from tests.factories import add_question, applicant, csrf_token, make_event, make_organiser, sign_in
from tests.formpage import read_form
from tests.querycount import counting_statements

pytestmark = both_databases

ORGANISER = "organiser@example.org"


def _signed_in(client, event):
    make_organiser(ORGANISER, event)
    sign_in(client, ORGANISER)
    return f"/manage/events/{event.id}/registrations"


def bulk_registrations(event, count: int, start: int = 0, **overrides) -> None:
    """count confirmed registrations written straight to the table (the list reads rows, not services)."""
    now = utcnow()
    db.session.add_all(
        Registration(event_id=event.id, name=f"Person {n:04d}", email=f"person{n}@example.org",
                     affiliation="Harbin Institute of Technology", country="CN",
                     category=AttendeeCategory.faculty, answers={}, status=RegistrationStatus.confirmed,
                     token=f"t-{event.id}-{n}", locale="en", created_at=now, consented_at=now,
                     **overrides)
        for n in range(start, start + count)
    )
    db.session.commit()


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return html.unescape(found.group(1)) if found else None


def _names(page: str) -> list[str]:
    return re.findall(r'<tr id="registration-\d+">.*?registrations/\d+">([^<]*)</a>', page, re.S)


def test_the_list_shows_each_registration_and_the_counts_from_the_tally(client):
    event = make_event(capacity=2)
    seated = services.register(event, applicant(1, name="Olena Shevchenko", country="UA"))
    services.register(event, applicant(2, name="李娜", country="CN", affiliation="Tsinghua University"))
    services.register(event, applicant(3, name="Ivan Sidorov", country="RU", category="student"))
    handling.check_in(event.id, seated, outside_days_confirmed=True)
    url = _signed_in(client, event)

    page = client.get(url).get_data(as_text=True)
    assert _names(page) == ["Olena Shevchenko", "李娜", "Ivan Sidorov"]
    assert "attendee2@example.org" in page and "Tsinghua University" in page
    assert country_name("UA") in page and country_name("CN") in page
    assert "Waiting list #1" in page
    assert "<strong>2</strong> confirmed" in page and "<strong>1</strong> on the waiting list" in page
    assert "Registered (Asia/Shanghai)" in page
    assert _link(page, "next") is None and _link(page, "prev") is None


def test_search_and_filters_narrow_the_list(client):
    event = make_event(capacity=1)
    services.register(event, applicant(1, name="Anna Petrova", country="RU"))
    services.register(event, applicant(2, name="Emma Brown", country="GB", affiliation="Petrov Institute"))
    services.register(event, applicant(3, name="Li Na", country="CN"))
    url = _signed_in(client, event)

    assert _names(client.get(url + "?q=petrov").get_data(as_text=True)) == ["Anna Petrova", "Emma Brown"]
    assert _names(client.get(url + "?q=petrov&country=gb").get_data(as_text=True)) == ["Emma Brown"]
    assert _names(client.get(url + "?status=waitlisted&sort=name_desc").get_data(as_text=True)) == [
        "Li Na", "Emma Brown"]
    assert _names(client.get(url + "?checked_in=yes").get_data(as_text=True)) == []
    assert _names(client.get(url + "?sort=name").get_data(as_text=True)) == [
        "Anna Petrova", "Emma Brown", "Li Na"]


def test_pages_follow_next_previous_first_and_last_by_cursor(client):
    event = make_event(capacity=None)
    bulk_registrations(event, 120)
    url = _signed_in(client, event)

    first = client.get(url + "?sort=name").get_data(as_text=True)
    assert _names(first)[:2] == ["Person 0000", "Person 0001"] and len(_names(first)) == 50
    assert _link(first, "prev") is None and _link(first, "first") is None
    second = client.get(_link(first, "next")).get_data(as_text=True)
    assert _names(second)[0] == "Person 0050"
    third = client.get(_link(second, "next")).get_data(as_text=True)
    assert _names(third) == [f"Person {n:04d}" for n in range(100, 120)]
    assert _link(third, "next") is None and _link(third, "last") is None
    back = client.get(_link(third, "prev")).get_data(as_text=True)
    assert _names(back) == _names(second)
    last = client.get(_link(first, "last")).get_data(as_text=True)
    assert _names(last) == [f"Person {n:04d}" for n in range(70, 120)]
    assert "sort=name" in _link(last, "first") and "sort=name" in _link(last, "prev")


def _statements_for(client, url: str) -> int:
    with counting_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("query", ["", "?sort=name&q=person&status=confirmed&country=CN&checked_in=no"])
def test_a_page_costs_the_same_statements_for_3_or_300_registrations(app, query):
    small, big = make_event(capacity=None), make_event(capacity=None)
    bulk_registrations(small, 3)
    bulk_registrations(big, 300, start=1000)
    make_organiser(ORGANISER, small, big)
    client = app.test_client()
    sign_in(client, ORGANISER)
    small_url, big_url = (f"/manage/events/{e.id}/registrations{query}" for e in (small, big))
    _statements_for(client, small_url)  # first visit warms caches of the session, not of the database
    counts = (_statements_for(client, small_url), _statements_for(client, big_url))
    assert counts[0] == counts[1], counts
    next_page = _link(client.get(big_url).get_data(as_text=True), "next")
    assert _statements_for(client, next_page) == counts[0]


@pytest.mark.parametrize(("query", "notice"), [
    ("status=maybe", "Status: Not a valid choice."),
    ("sort=shoe-size", "Sort: Not a valid choice."),
    ("country=ZZ", "Country: Not a valid choice."),
    ("q=%00", "Remove the control characters"),
    ("after=not-a-cursor", "The page link was not understood"),
    ("sort=name&before=WzEyXQ", "The page link was not understood"),
    ("after=WzEwOTk1MTE2Mjc3NzZd", "The page link was not understood"),
    ("sort=name&after=WyJ4IiwgMzQzNTk3MzgzNjhd", "The page link was not understood"),
    ("checked_in=perhaps&category=wizard", "Checked in: Not a valid choice."),
])
def test_parameters_not_understood_are_ignored_with_a_notice(client, query, notice):
    event = make_event()
    services.register(event, applicant(1, name="Anna Petrova"))
    url = _signed_in(client, event)
    answer = client.get(f"{url}?{query}")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert html.escape(notice, quote=False) in page
    assert _names(page) == ["Anna Petrova"]


def test_the_detail_page_shows_answers_under_their_questions_and_hides_other_events(client):
    event = make_event()
    diet = add_question(event, QuestionKind.single_choice, "Diet", options=["Halal", "Vegetarian"])
    add_question(event, QuestionKind.multiple_choice, "Sessions", options=["A", "B", "C"])
    add_question(event, QuestionKind.yes_no, "Poster?")
    person = services.register(event, applicant(
        1, name="Carla Gómez", answers={str(diet.id): "Halal", str(diet.id + 1): ["A", "C"],
                                         str(diet.id + 2): "no"}))
    other = make_event()
    stranger = services.register(other, applicant(2))
    url = _signed_in(client, event)

    page = client.get(f"{url}/{person.id}").get_data(as_text=True)
    answers = re.search(r'<table class="list" id="answers">(.*?)</table>', page, re.S).group(1)
    assert re.findall(r"<th>(.*?)</th><td>(.*?)</td>", answers) == [
        ("Diet", "Halal"), ("Sessions", "A; C"), ("Poster?", "no")]
    assert client.get(f"{url}/{stranger.id}").status_code == 404
    assert client.get(f"{url}/{stranger.id}/answers").status_code == 404


def _post(client, url: str, data: dict | None = None):
    return client.post(url, data={"csrf_token": csrf_token(client, url.rsplit("/", 1)[0]), **(data or {})})


def test_approving_gives_a_seat_and_a_second_approval_is_refused_with_a_message(client):
    event = make_event(capacity=5, requires_approval=True)
    person = services.register(event, applicant(1, name="Yuki Tanaka"))
    url = _signed_in(client, event)

    answer = _post(client, f"{url}/{person.id}/approve")
    assert answer.status_code == 303 and answer.location.endswith(f"{url}/{person.id}")
    page = client.get(answer.location).get_data(as_text=True)
    assert "Approved: Yuki Tanaka has a seat" in page
    db.session.refresh(person)
    assert person.status is RegistrationStatus.confirmed
    again = client.get(_post(client, f"{url}/{person.id}/approve").location).get_data(as_text=True)
    assert 'class="notice bad"' in again and "Only registrations awaiting approval can be approved" in again


def test_cancelling_tells_the_person_and_moves_the_first_waiting_up(client):
    event = make_event(capacity=1)
    seated = services.register(event, applicant(1, name="Bob Smith"))
    waiting = services.register(event, applicant(2, name="Emma Brown"))
    url = _signed_in(client, event)

    answer = _post(client, f"{url}/{seated.id}/cancel")
    page = client.get(answer.location).get_data(as_text=True)
    assert "Cancelled the registration of Bob Smith" in page and "Emma Brown moved up" in page
    db.session.expire_all()
    assert (seated.status, waiting.status) == (RegistrationStatus.cancelled, RegistrationStatus.confirmed)
    kinds = sa.select(OutboundEmail.kind).where(OutboundEmail.registration_id == seated.id)
    assert "registration_cancelled" in list(db.session.scalars(kinds))
    again = client.get(_post(client, f"{url}/{seated.id}/cancel").location).get_data(as_text=True)
    assert "already cancelled" in again


def test_promoting_by_hand_needs_a_free_seat(client):
    event = make_event(capacity=1)
    services.register(event, applicant(1))
    waiting = services.register(event, applicant(2, name="Li Na"))
    url = _signed_in(client, event)

    refused = client.get(_post(client, f"{url}/{waiting.id}/promote").location).get_data(as_text=True)
    assert "raise the capacity first" in refused
    event.capacity = 2
    db.session.commit()
    promoted = client.get(_post(client, f"{url}/{waiting.id}/promote").location).get_data(as_text=True)
    assert "Li Na now has a seat" in promoted
    db.session.refresh(waiting)
    assert waiting.status is RegistrationStatus.confirmed


def test_approve_selected_approves_the_ticked_pending_ones(client):
    event = make_event(capacity=10, requires_approval=True)
    people = [services.register(event, applicant(n)) for n in (1, 2, 3)]
    url = _signed_in(client, event)
    token = csrf_token(client, url)
    answer = client.post(f"{url}/approve", data={
        "csrf_token": token, "registration_id": [str(people[0].id), str(people[2].id)],
        "back": f"{url}?status=pending"})
    assert answer.status_code == 303 and answer.location == f"{url}?status=pending"
    assert "Approved 2 registration(s)" in client.get(answer.location).get_data(as_text=True)
    db.session.expire_all()
    assert [p.status.value for p in people] == ["confirmed", "pending", "confirmed"]
    elsewhere = client.post(f"{url}/approve", data={"csrf_token": token, "back": "https://evil.example/"})
    assert elsewhere.location == url


def test_actions_need_the_csrf_token(client):
    event = make_event(capacity=1)
    person = services.register(event, applicant(1))
    url = _signed_in(client, event)
    assert client.post(f"{url}/{person.id}/cancel").status_code == 400
    db.session.refresh(person)
    assert person.status is RegistrationStatus.confirmed


def test_correcting_answers_shows_errors_next_to_fields_and_saves_only_valid_ones(client):
    event = make_event()
    guests = add_question(event, QuestionKind.number, "Accompanying persons")
    team = add_question(event, QuestionKind.text, "Team name", required=True)
    topics = add_question(event, QuestionKind.multiple_choice, "Topics", options=["Orbits", "Rockets"])
    person = services.register(event, applicant(1, answers={str(guests.id): 2, str(team.id): "Orbit",
                                                            str(topics.id): ["Rockets"]}))
    url = f"{_signed_in(client, event)}/{person.id}/answers"

    page = client.get(url).get_data(as_text=True)
    form = read_form(page)
    assert (form.fields[f"q_{guests.id}"], form.fields[f"q_{team.id}"]) == ("2", "Orbit")
    assert re.search(rf'checked[^>]*name="q_{topics.id}"[^>]*value="Rockets"|name="q_{topics.id}"[^>]*'
                     rf'value="Rockets"[^>]*checked', page)
    assert not re.search(rf'name="q_{topics.id}"[^>]*value="Orbits"[^>]*checked', page)
    bad = client.post(url, data={"csrf_token": form.fields["csrf_token"], f"q_{guests.id}": "two",
                                 f"q_{team.id}": ""})
    assert bad.status_code == 422
    assert read_form(bad.get_data(as_text=True)).errors_by_field == {
        f"q_{guests.id}": ["Enter a number."], f"q_{team.id}": ["This question needs an answer."]}
    db.session.refresh(person)
    assert person.answers == {str(guests.id): 2, str(team.id): "Orbit", str(topics.id): ["Rockets"]}

    good = client.post(url, data={"csrf_token": form.fields["csrf_token"], f"q_{guests.id}": "3",
                                  f"q_{team.id}": "Apogee", f"q_{topics.id}": ["Orbits", "Rockets"]})
    assert good.status_code == 303
    assert "The answers are saved" in client.get(good.location).get_data(as_text=True)
    db.session.refresh(person)
    assert person.answers == {
        str(guests.id): 3, str(team.id): "Apogee", str(topics.id): ["Orbits", "Rockets"]}
