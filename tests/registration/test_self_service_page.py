"""The attendee's own page (/r/<token>) speaks of the door only when there is one."""

from datetime import timedelta

from eventsys.database import utcnow
from eventsys.events.models import EventMode
from eventsys.registration import services
from tests.factories import applicant, make_event


def test_an_online_event_s_page_has_no_entrance_but_says_when_the_meeting_link_comes(client):
    starts_at = utcnow().replace(second=0, microsecond=0) + timedelta(days=3)
    event = make_event(mode=EventMode.online, venue="", meeting_url="https://meet.example.org/secret-room",
                       starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                       reminder_offsets=[1440, 120])
    registration = services.register(event, applicant(1))
    page = client.get(f"/r/{registration.token}").get_data(as_text=True)
    assert "Your seat is confirmed." in page
    assert "entrance" not in page and "check-in code" not in page.lower()
    assert "The meeting link comes by email with the last reminder, 2 hours before the start." in page
    assert "secret-room" not in page, "the page is no place for the private link"


def test_in_person_and_hybrid_events_pages_show_the_code_for_the_entrance(client):
    for number, mode in enumerate((EventMode.in_person, EventMode.hybrid), start=1):
        event = make_event(mode=mode, meeting_url="https://meet.example.org/secret-room")
        registration = services.register(event, applicant(number))
        page = client.get(f"/r/{registration.token}").get_data(as_text=True)
        assert "Show this code at the entrance" in page
        assert ("meeting link" in page) is (mode is EventMode.hybrid)
