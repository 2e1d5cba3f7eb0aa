"""The event, and separately its programme, as iCalendar, for attendees' calendars.

A calendar recognises an entry it already holds by its UID, and replaces it when
the SEQUENCE is higher. So the UID is one per event whoever asks (the web page,
any email), made from BASE_URL and never from a request's Host header, and the
sequence is the event's `calendar_sequence`, bumped on each move and on cancelling.
A cancelled event goes out as METHOD:CANCEL, which removes the entry.
"""

from datetime import date
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Timezone
from icalendar import Event as CalendarEvent

from eventsys.database import utcnow
from eventsys.events.models import Event, EventStatus, ProgrammeItem


def uid_domain() -> str:
    """The host of BASE_URL: the right-hand side of every UID we hand out."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def event_uid(event: Event) -> str:
    """The event's calendar UID, the same in the web .ics and every emailed one."""
    return f"event-{event.id}@{uid_domain()}"


def _organizer() -> str:
    """Who sends the updates; calendars apply a CANCEL only from the entry's organiser."""
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1] or f"eventsys@{uid_domain()}"
    return f"mailto:{address}"


def _calendar(event: Event, name: str) -> Calendar:
    """An empty calendar named name, publishing or (for a cancelled event) cancelling its entries."""
    calendar = Calendar()
    calendar.add("prodid", "-//eventsys//eventsys//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if event.status is EventStatus.cancelled else "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _entry(event: Event, uid: str, event_url: str) -> CalendarEvent:
    """A VEVENT with what every entry of the event shares: its UID, sequence, organiser and status."""
    entry = CalendarEvent()
    entry.add("uid", uid)
    # Items move with the event: their entries need the higher sequence too.
    entry.add("sequence", event.calendar_sequence or 0)
    entry.add("dtstamp", utcnow())
    entry.add("url", event_url)
    entry.add("organizer", _organizer())
    entry.add("status", "CANCELLED" if event.status is EventStatus.cancelled else "CONFIRMED")
    return entry


def _with_zone_rules(calendar: Calendar, event: Event) -> bytes:
    """The calendar as bytes, its VTIMEZONE first.

    The zone's rules, daylight saving included, serve calendars that do not know the zone's name; the
    years cover the event with room for a move (a calendar needs the rules in force at the times).
    """
    calendar.subcomponents.insert(0, _zone_rules(event.timezone, event.starts_at.year - 1,
                                                 event.ends_at.year + 1))
    return calendar.to_ical()


def event_calendar(event: Event, event_url: str) -> bytes:
    """An .ics with ONE entry, the event itself, its times in the event's zone: what "add to calendar"
    and every email attach (the programme is a feed of its own: programme_calendar).

    Each time carries the zone's name (TZID) and the calendar its VTIMEZONE, so a reader's
    calendar shows the right local time across daylight-saving changes on either side.
    """
    calendar = _calendar(event, event.title)
    zone = ZoneInfo(event.timezone)
    entry = _entry(event, event_uid(event), event_url)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    entry.add("summary", event.title)
    entry.add("description", f"{event.summary}\n\n{event_url}".strip())
    entry.add("location", event.venue or (_("Online") if event.is_online else ""))
    calendar.add_component(entry)
    return _with_zone_rules(calendar, event)


def programme_uid(item: ProgrammeItem) -> str:
    """A programme item's UID: unchanged since items were part of the event's own .ics, so the entries
    subscribers already hold are updated, not doubled."""
    return f"programme-{item.id}@{uid_domain()}"


def programme_calendar(event: Event, event_url: str) -> bytes:
    """The programme as a calendar to subscribe to: one entry per item, in the event's zone."""
    # Translators: the name of a calendar subscription holding an event's sessions and talks.
    calendar = _calendar(event, _("%(event)s: programme", event=event.title))
    zone = ZoneInfo(event.timezone)
    for item in event.programme:
        session = _entry(event, programme_uid(item), event_url)
        session.add("dtstart", item.starts_at.astimezone(zone))
        session.add("dtend", item.ends_at.astimezone(zone))
        session.add("summary", f"{item.title} — {event.title}")
        session.add("description", item.description)
        session.add("location", item.location or event.venue)
        calendar.add_component(session)
    return _with_zone_rules(calendar, event)


@lru_cache(maxsize=64)
def _zone_rules(zone_name: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of a zone for whole years; made once: it walks every transition (~50 ms), and a
    batch of confirmations or reminders for one event needs the same one each time (never changed after)."""
    return Timezone.from_tzid(zone_name, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31))
