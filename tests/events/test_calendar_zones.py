"""The .ics carries the event's zone with its rules, so calendars anywhere show the right hour across DST."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from eventsys.database import db
from eventsys.events.models import EventMode, ProgrammeItem
from tests.factories import make_event


def _calendar(client, event) -> Calendar:
    answer = client.get(f"/events/{event.slug}.ics")
    assert answer.status_code == 200
    return Calendar.from_ical(answer.data)


def test_an_event_across_munich_s_clock_change_keeps_its_hours_in_the_calendar(client):
    # Clocks in Munich go forward on Sunday 28 March 2027, 02:00 -> 03:00.
    starts = datetime(2027, 3, 27, 9, 0, tzinfo=UTC)  # 10:00 in Munich (CET, +1)
    ends = datetime(2027, 3, 29, 15, 0, tzinfo=UTC)  # 17:00 in Munich (CEST, +2)
    event = make_event(timezone="Europe/Berlin", starts_at=starts, ends_at=ends)
    db.session.add(ProgrammeItem(event_id=event.id, title="Closing", starts_at=ends - timedelta(hours=1),
                                 ends_at=ends))
    db.session.commit()
    text = client.get(f"/events/{event.slug}.ics").get_data(as_text=True)
    assert "DTSTART;TZID=Europe/Berlin:20270327T100000" in text
    assert "DTEND;TZID=Europe/Berlin:20270329T170000" in text
    programme = client.get(f"/events/{event.slug}/programme.ics").get_data(as_text=True)
    assert "DTSTART;TZID=Europe/Berlin:20270329T160000" in programme and "BEGIN:VTIMEZONE" in programme

    calendar = _calendar(client, event)
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    offsets = {(part.name, part["TZOFFSETTO"].to_ical()) for part in zone.subcomponents}
    assert ("STANDARD", "+0100") in offsets and ("DAYLIGHT", "+0200") in offsets
    entry = next(c for c in calendar.walk("VEVENT") if c["UID"].startswith("event-"))
    assert entry.decoded("DTSTART").astimezone(UTC) == starts
    assert entry.decoded("DTEND").astimezone(UTC) == ends


def test_an_event_in_harbin_is_written_in_harbin_time_with_its_zone(client):
    starts = datetime(2027, 3, 27, 2, 0, tzinfo=UTC)  # 10:00 in Harbin (+8, no daylight saving)
    event = make_event(timezone="Asia/Harbin", starts_at=starts, ends_at=starts + timedelta(hours=2))
    calendar = _calendar(client, event)
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Asia/Harbin"]
    entry = next(c for c in calendar.walk("VEVENT") if c["UID"].startswith("event-"))
    assert entry["DTSTART"].to_ical() == b"20270327T100000"
    assert entry["DTSTART"].params["TZID"] == "Asia/Harbin"
    assert entry.decoded("DTSTART").astimezone(UTC) == starts


def test_an_online_event_s_location_is_in_the_reader_s_language(client):
    event = make_event(mode=EventMode.online, venue="", meeting_url="https://meet.example.org/x")
    client.get("/language/ru")
    entry = next(c for c in _calendar(client, event).walk("VEVENT") if c["UID"].startswith("event-"))
    assert str(entry["LOCATION"]) == "Онлайн"
