"""Putting an event in a calendar: Google, Outlook, an .ics with the event alone, the programme feed."""

from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

from icalendar import Calendar

from eventsys.database import db
from eventsys.events.models import EventMode, ProgrammeItem
from eventsys.registration import services
from tests.factories import applicant, make_event

#: 10:00–17:30 in Harbin on Saturday 27 March 2027
STARTS = datetime(2027, 3, 27, 2, 0, tzinfo=UTC)
ENDS = datetime(2027, 3, 27, 9, 30, tzinfo=UTC)


def _link(html: str, anchor_id: str) -> dict[str, str]:
    """The query of the link with this id, as the calendar receiving it reads it."""
    start = html.index(f'id="{anchor_id}"')
    href = html[html.index('href="', start) + 6:]
    query = urlsplit(unescape(href[:href.index('"')]))
    return {"url": f"{query.scheme}://{query.netloc}{query.path}",
            **{name: values[0] for name, values in parse_qs(query.query).items()}}


def _event_with_two_sessions(**values):
    event = make_event(title="Symposium on Orbital Mechanics", summary="Two days of orbits.",
                       starts_at=STARTS, ends_at=ENDS, timezone="Asia/Harbin", **values)
    for hour, title in ((1, "Opening"), (3, "Keynote: Lagrange points")):
        db.session.add(ProgrammeItem(event_id=event.id, title=title, starts_at=STARTS + timedelta(hours=hour),
                                     ends_at=STARTS + timedelta(hours=hour + 1)))
    db.session.commit()
    return event


def test_google_and_outlook_links_carry_the_event_s_utc_times_and_venue(client):
    event = _event_with_two_sessions(venue="Main Building, Harbin")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    google = _link(html, "google-calendar")
    assert google["url"] == "https://calendar.google.com/calendar/render"
    assert google["action"] == "TEMPLATE" and google["text"] == "Symposium on Orbital Mechanics"
    assert google["dates"] == "20270327T020000Z/20270327T093000Z"
    assert google["location"] == "Main Building, Harbin"
    assert "Two days of orbits." in google["details"] and f"/events/{event.slug}" in google["details"]

    outlook = _link(html, "outlook-calendar")
    assert outlook["url"] == "https://outlook.live.com/calendar/0/deeplink/compose"
    assert outlook["path"] == "/calendar/action/compose" and outlook["rru"] == "addevent"
    assert outlook["subject"] == "Symposium on Orbital Mechanics"
    assert outlook["startdt"] == "2027-03-27T02:00:00Z" and outlook["enddt"] == "2027-03-27T09:30:00Z"
    assert outlook["location"] == "Main Building, Harbin"


def test_an_online_event_s_calendar_links_give_its_page_never_the_meeting_link(client):
    event = make_event(mode=EventMode.online, venue="", meeting_url="https://meet.example.org/secret-room")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    for anchor in ("google-calendar", "outlook-calendar"):
        assert _link(html, anchor)["location"] == f"http://events.test/events/{event.slug}"
    assert "secret-room" not in html


def test_the_ics_holds_the_event_alone_and_the_programme_feed_every_session(client):
    event = _event_with_two_sessions()
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f'href="/events/{event.slug}.ics"' in html and "Apple / other calendar" in html
    assert f'href="/events/{event.slug}/programme.ics"' in html and "Subscribe to the programme" in html

    [entry] = Calendar.from_ical(client.get(f"/events/{event.slug}.ics").data).walk("VEVENT")
    assert str(entry["uid"]) == f"event-{event.id}@events.test"
    assert entry.decoded("dtstart") == STARTS and entry.decoded("dtend") == ENDS

    feed = client.get(f"/events/{event.slug}/programme.ics")
    assert feed.mimetype == "text/calendar"
    calendar = Calendar.from_ical(feed.data)
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Asia/Harbin"]
    sessions = calendar.walk("VEVENT")
    # The same UIDs as when the sessions were in the event's .ics: subscribers' entries are updated.
    uids = [f"programme-{item.id}@events.test" for item in event.programme]
    assert [str(s["uid"]) for s in sessions] == uids
    assert [s.decoded("dtstart") for s in sessions] == [STARTS + timedelta(hours=h) for h in (1, 3)]
    assert sessions[1]["dtstart"].params["TZID"] == "Asia/Harbin"


def test_an_event_without_a_programme_offers_no_programme_feed(client):
    event = make_event()
    assert "Subscribe to the programme" not in client.get(f"/events/{event.slug}").get_data(as_text=True)


def test_the_confirmation_email_attaches_the_event_alone_even_with_a_programme(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event_with_two_sessions()
    services.register(event, applicant(1, email="li.wei@example.org"))
    [message] = smtp_sink.to("li.wei@example.org")
    [calendar] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    [entry] = Calendar.from_ical(calendar.get_content()).walk("VEVENT")
    assert str(entry["summary"]) == "Symposium on Orbital Mechanics"
    assert entry.decoded("dtstart") == STARTS


def test_a_draft_has_no_programme_feed(client):
    draft = make_event(status="draft")
    assert client.get(f"/events/{draft.slug}/programme.ics").status_code == 404
