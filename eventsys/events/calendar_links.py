"""The "Add to Google Calendar" and "Add to Outlook" links: the event as the calendars' own forms take it.

Both calendars read the times as UTC instants (a trailing Z), so the entry lands at
the right hour wherever the reader's calendar is set. The place is the venue; an
event held only online gives its public page instead, never the meeting link, which
is for registrants alone.
"""

from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlencode

from eventsys.events.models import Event

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"


class CalendarLinks(NamedTuple):
    google: str
    outlook: str


def _place(event: Event, event_url: str) -> str:
    """The venue, or the public page for an event held only online."""
    return event.venue or (event_url if event.is_online else "")


def _details(event: Event, event_url: str) -> str:
    return f"{event.summary}\n\n{event_url}".strip()


def _google_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def calendar_links(event: Event, event_url: str) -> CalendarLinks:
    """The two links for the event whose public page is event_url."""
    google = urlencode({
        "action": "TEMPLATE", "text": event.title,
        "dates": f"{_google_time(event.starts_at)}/{_google_time(event.ends_at)}",
        "details": _details(event, event_url), "location": _place(event, event_url),
    })
    outlook = urlencode({
        "path": "/calendar/action/compose", "rru": "addevent", "subject": event.title,
        "startdt": _iso_utc(event.starts_at), "enddt": _iso_utc(event.ends_at),
        "body": _details(event, event_url), "location": _place(event, event_url),
    })
    return CalendarLinks(f"{GOOGLE}?{google}", f"{OUTLOOK}?{outlook}")
