"""Showing instants in the event's own timezone, in the reader's language.

The language is the one being written in (the page's, or the email's being rendered:
locales.current_language), so the dates never come out in another language than the
words around them.
"""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_datetime, get_timezone_gmt

from eventsys.locales import current_language


def is_timezone(name: str) -> bool:
    """Whether name is an IANA timezone this machine knows."""
    return name in available_timezones()


def in_zone(moment: datetime, zone_name: str, locale: str | None = None) -> str:
    """'Tue, 12 May 2026, 14:00 (Asia/Shanghai, GMT+08:00)': wall time where the event is."""
    return _in_zone(moment, zone_name, locale or current_language())


@lru_cache(maxsize=4096)  # a batch of reminders shows the same few times thousands of times
def _in_zone(moment: datetime, zone_name: str, locale: str) -> str:
    zone = ZoneInfo(zone_name)
    wall = format_datetime(moment, "EEE, d MMM y, HH:mm", tzinfo=zone, locale=locale)
    offset = get_timezone_gmt(moment.astimezone(zone), locale=locale)
    return f"{wall} ({zone_name}, {offset})"


def time_in_zone(moment: datetime, zone_name: str, locale: str | None = None) -> str:
    """Just the wall-clock time in the zone, '14:00', for programme rows."""
    return format_datetime(moment, "HH:mm", tzinfo=ZoneInfo(zone_name), locale=locale or current_language())


def date_in_zone(moment: datetime, zone_name: str, locale: str | None = None) -> str:
    """The calendar date in the zone, 'Tue, 12 May 2026', for grouping a programme by day."""
    return format_datetime(moment, "EEE, d MMM y", tzinfo=ZoneInfo(zone_name),
                           locale=locale or current_language())


def instant_in_zone(local: datetime, zone_name: str) -> datetime:
    """The instant a wall-clock time in the zone means (the earlier one when clocks go back); UTC."""
    moment = local.replace(tzinfo=ZoneInfo(zone_name))
    if moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) != local:
        raise ValueError(f"{local:%H:%M} does not exist on {local:%d %b %Y} in {zone_name}: "
                         "the clocks skip it.")
    return moment.astimezone(UTC)


def wall_time(moment: datetime | None, zone_name: str) -> datetime | None:
    """The instant as a naive wall-clock time in the zone, to fill a date-time input."""
    return moment.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None) if moment else None
