"""The event and its programme as iCalendar, for attendees' calendars."""

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from eventsys.database import utcnow
from eventsys.events.models import Event, EventStatus


def event_calendar(event: Event, event_url: str, domain: str) -> bytes:
    """An .ics with the event itself and one entry per programme item, times in UTC."""
    calendar = Calendar()
    calendar.add("prodid", "-//eventsys//eventsys//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", event.title)
    stamp = utcnow()
    status = "CANCELLED" if event.status is EventStatus.cancelled else "CONFIRMED"

    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@{domain}")
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    entry.add("description", f"{event.summary}\n\n{event_url}".strip())
    entry.add("location", event.venue or ("Online" if event.is_online else ""))
    entry.add("url", event_url)
    entry.add("status", status)
    calendar.add_component(entry)

    for item in event.programme:
        session = CalendarEvent()
        session.add("uid", f"programme-{item.id}@{domain}")
        session.add("dtstamp", stamp)
        session.add("dtstart", item.starts_at)
        session.add("dtend", item.ends_at)
        session.add("summary", f"{item.title} — {event.title}")
        session.add("description", item.description)
        session.add("location", item.location or event.venue)
        session.add("url", event_url)
        session.add("status", status)
        calendar.add_component(session)
    return calendar.to_ical()
