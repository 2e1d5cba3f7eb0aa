"""My events: what is coming first, what is over apart; a page not one's own says why, in the workspace."""

import html as html_lib
import re
from datetime import timedelta

import sqlalchemy as sa

from eventsys.accounts.models import User
from eventsys.accounts.services import add_manager
from eventsys.database import db, utcnow
from eventsys.events.models import EventStatus
from tests.conftest import both_databases
from tests.factories import make_event, make_organiser, sign_in
from tests.querycount import counting_statements

ORGANISER = "organiser@example.org"
DAY = timedelta(days=1)


def _signed_in(app, email: str, *events, admin: bool = False):
    make_organiser(email, *events, admin=admin)
    client = app.test_client()
    sign_in(client, email)
    return client


def _titles(html: str, table_id: str) -> list[str]:
    """The event titles of one table of the page, top to bottom."""
    table = re.search(rf'<table class="list" id="{table_id}">(.*?)</table>', html, re.S)
    found = re.findall(r'<a href="/manage/events/\d+">([^<]+)</a>', table.group(1)) if table else []
    return [html_lib.unescape(title) for title in found]


def _event(title: str, starts_in: timedelta, days: int = 2, **values):
    start = utcnow().replace(microsecond=0) + starts_in
    return make_event(title=title, starts_at=start, ends_at=start + days * DAY, **values)


@both_databases
def test_my_events_shows_what_is_on_now_and_next_first_and_past_events_apart(app):
    events = [
        _event("Winter School", 60 * DAY),
        _event("Last Year's Forum", -400 * DAY),
        _event("Rocket Week", -DAY, days=3),  # taking place now
        _event("Propulsion Seminar", 5 * DAY, status=EventStatus.draft),
        _event("Autumn Lectures", -40 * DAY),
        _event("Orbit Day", 20 * DAY),
    ]
    client = _signed_in(app, ORGANISER, *events)
    html = client.get("/manage/").get_data(as_text=True)

    coming = ["Rocket Week", "Propulsion Seminar", "Orbit Day", "Winter School"]
    assert _titles(html, "coming-events") == coming
    assert "Past events" in html
    assert _titles(html, "past-events") == ["Autumn Lectures", "Last Year's Forum"]
    assert html.index('id="coming-events"') < html.index("Past events")
    draft_row = re.search(r'<tr data-event-id="\d+" class="draft">.*?</tr>', html, re.S).group(0)
    assert "Propulsion Seminar" in draft_row and '<span class="tag draft">Draft</span>' in draft_row
    running_row = re.search(r'<tr[^>]*>\s*<td><a[^>]*>Rocket Week</a>.*?</tr>', html, re.S).group(0)
    assert "Taking place now" in running_row


def test_an_organiser_with_only_past_events_sees_them_below_an_empty_upcoming_list(app):
    client = _signed_in(app, ORGANISER, _event("Autumn Lectures", -40 * DAY))
    html = client.get("/manage/").get_data(as_text=True)
    assert "No event is coming up." in html and _titles(html, "past-events") == ["Autumn Lectures"]


def test_my_events_costs_as_many_queries_for_six_events_as_for_two(app):
    client = _signed_in(app, ORGANISER, _event("Soon", 3 * DAY), _event("Over", -9 * DAY))
    with counting_statements() as few:
        client.get("/manage/")
    organiser = db.session.scalars(sa.select(User).where(User.email == ORGANISER)).one()
    for n in range(4):
        add_manager(_event(f"More {n}", (n * 7 - 10) * DAY).id, organiser)
    db.session.commit()
    with counting_statements() as many:
        html = client.get("/manage/").get_data(as_text=True)
    assert len(_titles(html, "coming-events")) + len(_titles(html, "past-events")) == 6
    assert len(many) == len(few)


@both_databases
def test_an_organiser_at_another_event_s_page_is_told_so_in_the_workspace(app):
    mine, theirs = make_event(title="My Forum"), make_event(title="Their Forum")
    client = _signed_in(app, ORGANISER, mine)
    answer = client.get(f"/manage/events/{theirs.id}/registrations")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 403
    assert "You are not an organiser of this event" in html
    assert 'class="workspace"' in html and "Events workspace" in html, "the workspace's own layout"
    assert 'href="/manage/">Back to My events</a>' in html
    assert "read-protected" not in html and "Their Forum" not in html


def test_an_organiser_at_an_administrators_page_is_told_it_is_for_administrators(app):
    event = make_event()
    client = _signed_in(app, ORGANISER, event)
    answer = client.get("/manage/outbox/1")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 403 and "This page is for administrators" in html
    assert 'class="workspace"' in html and "read-protected" not in html


def test_a_visitor_is_sent_to_sign_in_and_public_pages_keep_the_public_error_page(app):
    event = make_event()
    answer = app.test_client().get(f"/manage/events/{event.id}/registrations")
    assert answer.status_code == 302 and "login" in answer.location
    missing = app.test_client().get("/events/no-such-event")
    assert missing.status_code == 404
    assert "See upcoming events" in missing.get_data(as_text=True)


def test_a_client_asking_for_json_gets_the_usual_answer(app):
    mine, theirs = make_event(), make_event()
    client = _signed_in(app, ORGANISER, mine)
    answer = client.get(f"/manage/events/{theirs.id}/registrations", headers={"Accept": "application/json"})
    assert answer.status_code == 403
    assert "You are not an organiser of this event" not in answer.get_data(as_text=True)
