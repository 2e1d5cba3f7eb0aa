"""Organisers' pages write each time where the event is, marked so the page adds the reader's own clock."""

import re

from eventsys.registration import services
from tests.factories import applicant, make_event, make_organiser, sign_in


def test_times_on_a_registration_s_page_carry_their_instant_and_zone_for_the_reader_s_clock(app, client):
    event = make_event(timezone="Asia/Harbin")
    make_organiser("organiser@example.org", event)
    person = services.register(event, applicant(1))
    sign_in(client, "organiser@example.org")
    page = client.get(f"/manage/events/{event.id}/registrations/{person.id}").get_data(as_text=True)
    time_element = r'<time datetime="([^"]+)" data-local data-zone="Asia/Harbin">([^<]+)</time>'
    registered = re.search(time_element, page)
    assert registered, page
    assert registered.group(1) == person.created_at.isoformat()
    assert "Harbin time (GMT+08:00)" in registered.group(2)
    assert 'src="/static/js/local-times.js"' in page  # which adds the reader's clock beside it


def test_the_overview_marks_the_event_s_start_and_end_for_the_reader_s_clock(app, client):
    event = make_event(timezone="Asia/Harbin")
    make_organiser("organiser@example.org", event)
    sign_in(client, "organiser@example.org")
    page = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    for moment in (event.starts_at, event.ends_at):
        assert f'<time datetime="{moment.isoformat()}" data-local data-zone="Asia/Harbin">' in page
