"""Showing instants in the event's own timezone, in the reader's language.

The language is the one being written in (the page's, or the email's being rendered:
locales.current_language), so the dates never come out in another language than the
words around them.
"""

from contextlib import nullcontext
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import (
    format_datetime,
    format_interval,
    format_skeleton,
    get_timezone_gmt,
    get_timezone_location,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from eventsys.locales import current_language


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    # available_timezones() walks the tz database's files on every call (milliseconds): once is enough.
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    """Whether name is an IANA timezone this machine knows."""
    return name in _known_zones()


@lru_cache(maxsize=1)
def place_zones() -> list[str]:
    """The zones named after a place ('Europe/Moscow'), by region: what a person chooses from."""
    regions = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/",
               "Pacific/")
    return sorted(zone for zone in _known_zones() if zone.startswith(regions))


#: places a zone is better known by than CLDR's exemplar city: CLDR names Asia/Harbin "Shanghai"
#: (the zones are one since 1980), and China calls its one zone Beijing time
PLACE_NAMES = {
    "Asia/Harbin": {"en": "Harbin", "ru": "Харбин", "zh": "哈尔滨"},
    "Asia/Shanghai": {"en": "Beijing", "ru": "Пекин", "zh": "北京"},
    "Europe/Kyiv": {"ru": "Киев"},
}


def place_of(zone_name: str, locale: str | None = None) -> str:
    """The place a zone is named after, in the language: 'Harbin', 'Москва', '柏林'."""
    locale = locale or current_language()
    named = PLACE_NAMES.get(zone_name, {}).get(locale)
    return named or get_timezone_location(ZoneInfo(zone_name), locale=locale, return_city=True)


def _date(moment: datetime, zone: ZoneInfo, locale: str) -> str:
    # English keeps the house style ('Tue, 12 May 2026'); other languages their own order.
    if locale == "en":
        return format_datetime(moment, "EEE, d MMM y", tzinfo=zone, locale=locale)
    return format_skeleton("yMMMEd", moment, tzinfo=zone, locale=locale)


def _written_in(locale: str):
    """Write in locale from here on (its words from the catalogue), when it is not the current language."""
    return force_locale(locale) if locale != current_language() else nullcontext()


def in_zone(moment: datetime, zone_name: str, locale: str | None = None) -> str:
    """'Sat, 27 Mar 2027, 10:00 Harbin time (GMT+08:00)': the wall time where the event is, by place."""
    locale = locale or current_language()
    with _written_in(locale):
        return _in_zone(moment, zone_name, locale)


@lru_cache(maxsize=4096)  # a batch of reminders shows the same few times thousands of times
def _in_zone(moment: datetime, zone_name: str, locale: str) -> str:
    zone = ZoneInfo(zone_name)
    return _("%(date)s, %(time)s %(place)s time (%(offset)s)", date=_date(moment, zone, locale),
             time=format_datetime(moment, "HH:mm", tzinfo=zone, locale=locale),
             place=place_of(zone_name, locale),
             offset=get_timezone_gmt(moment.astimezone(zone), locale=locale))


def in_zones(moment: datetime, zone_name: str, reader_zone: str | None, locale: str | None = None) -> str:
    """in_zone, then the reader's own time where their clock shows another: '… / 05:00 Moscow time'."""
    here = in_zone(moment, zone_name, locale)
    if not reader_zone or not is_timezone(reader_zone):
        return here
    event_zone, own_zone = ZoneInfo(zone_name), ZoneInfo(reader_zone)
    if moment.astimezone(event_zone).utcoffset() == moment.astimezone(own_zone).utcoffset():
        return here
    locale = locale or current_language()
    own_date = moment.astimezone(own_zone).date() != moment.astimezone(event_zone).date()
    with _written_in(locale):
        return _("%(event_time)s / %(own_time)s %(place)s time", event_time=here,
                 own_time=(_date(moment, own_zone, locale) + ", " if own_date else "")
                 + format_datetime(moment, "HH:mm", tzinfo=own_zone, locale=locale),
                 place=place_of(reader_zone, locale))


def time_in_zone(moment: datetime, zone_name: str, locale: str | None = None) -> str:
    """Just the wall-clock time in the zone, '14:00', for programme rows."""
    return format_datetime(moment, "HH:mm", tzinfo=ZoneInfo(zone_name), locale=locale or current_language())


def date_in_zone(moment: datetime, zone_name: str, locale: str | None = None) -> str:
    """The calendar date in the zone, 'Tue, 12 May 2026', for grouping a programme by day."""
    return format_datetime(moment, "EEE, d MMM y", tzinfo=ZoneInfo(zone_name),
                           locale=locale or current_language())


def day_range(days: tuple[date, date], locale: str | None = None) -> str:
    """A run of calendar days as the language writes it: '12–14 May 2027', or one date when they are one."""
    first, last = days
    return format_interval(first, last, "yMMMd", locale=locale or current_language())


def instant_in_zone(local: datetime, zone_name: str) -> datetime:
    """The instant a wall-clock time in the zone means (the earlier one when clocks go back); UTC."""
    moment = local.replace(tzinfo=ZoneInfo(zone_name))
    if moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) != local:
        # Translators: the clocks jump forward (summer time) and this time of day never happens.
        raise ValueError(_("%(time)s does not exist on %(date)s in %(place)s: the clocks skip it.",
                           time=format_datetime(local, "HH:mm", locale=current_language()),
                           date=format_datetime(local, "d MMM y", locale=current_language()),
                           place=place_of(zone_name)))
    return moment.astimezone(UTC)


def wall_time(moment: datetime | None, zone_name: str) -> datetime | None:
    """The instant as a naive wall-clock time in the zone, to fill a date-time input."""
    return moment.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None) if moment else None
