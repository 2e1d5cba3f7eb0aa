"""The two charts on an event's overview: registrations day by day, and where registrants come from.

Both count the registrations that still stand: confirmed, on the waiting list, or
awaiting approval (an approval-mode event's registrants are all pending at first, and
its organisers want to see them arrive). Cancelled ones are left out.

The page reads two things, whatever the number of registrations: one grouped query
for the counts per day (the day where the event is, worked out by the database; see
LocalDate) and the tally kept for the seats line (registration/tally.py) for the
countries. Both charts come with their numbers as text beneath for screen readers
and text browsers (templates/manage/events/_charts.html).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from eventsys.countries import country_name
from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.events.svg_charts import Bar, columns_with_line, horizontal_bars
from eventsys.locales import current_language
from eventsys.registration import tally
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.timezones import place_of

#: the registrations the charts count: every one that was not cancelled
COUNTED = (RegistrationStatus.confirmed, RegistrationStatus.waitlisted, RegistrationStatus.pending)
#: countries drawn as bars; the others are added up in one last bar
MOST_COUNTRIES = 10


class LocalDate(FunctionElement):
    """local_date(utc_timestamp, zone): the calendar day of that instant where the zone is.

    PostgreSQL converts with its own zone database; SQLite calls the Python function
    database.py registers on every connection (SQLite knows no zones).
    """

    inherit_cache = True


@compiles(LocalDate, "postgresql")
def _local_date_postgresql(element, compiler, **kw) -> str:
    moment, zone = element.clauses
    return f"CAST(timezone({compiler.process(zone, **kw)}, {compiler.process(moment, **kw)}) AS DATE)"


@compiles(LocalDate, "sqlite")
def _local_date_sqlite(element, compiler, **kw) -> str:
    return f"local_date({compiler.process(element.clauses, **kw)})"


@dataclass(frozen=True)
class Day:
    """One day of the registration period: how many registered on it, and how many in all by its end."""

    day: date
    registered: int
    total: int


@dataclass(frozen=True)
class CountryCount:
    """A country (or the others together) and how many registrations come from it."""

    name: str
    count: int


def registrations_by_day(event: Event, today: date | None = None) -> list[Day]:
    """Each day from the first registration to today or the event's start (the earlier), in its zone.

    Empty when nobody registered. Days after that end still show when someone registered then.
    """
    day_of = LocalDate(Registration.created_at, sa.literal(event.timezone))
    rows = db.session.execute(
        sa.select(day_of, sa.func.count())
        .where(Registration.event_id == event.id, Registration.status.in_(COUNTED))
        .group_by(day_of)
    ).all()
    if not rows:
        return []
    counts = {_as_date(day): number for day, number in rows}
    zone = ZoneInfo(event.timezone)
    today = today or utcnow().astimezone(zone).date()
    first = min(counts)
    last = max(max(counts), min(today, event.starts_at.astimezone(zone).date()))
    days, total = [], 0
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        total += counts.get(day, 0)
        days.append(Day(day, counts.get(day, 0), total))
    return days


def _as_date(value: date | str) -> date:
    # PostgreSQL gives a date; SQLite's function gives its ISO text.
    return value if isinstance(value, date) else date.fromisoformat(value)


def registrations_by_country(event_id: int) -> list[CountryCount]:
    """The countries with most registrations first (named in the page's language), the rest as one."""
    by_code: dict[str, int] = {}
    for (status, country), number in tally.counts(event_id).items():
        if status in COUNTED and number > 0:
            by_code[country] = by_code.get(country, 0) + number
    ranked = sorted(((country_name(code), number) for code, number in by_code.items()),
                    key=lambda pair: (-pair[1], pair[0]))
    shown = [CountryCount(name, number) for name, number in ranked[:MOST_COUNTRIES]]
    others = sum(number for _name, number in ranked[MOST_COUNTRIES:])
    if others:
        shown.append(CountryCount(_("Other countries"), others))
    return shown


@dataclass(frozen=True)
class OverviewCharts:
    """What the overview shows: the numbers (for the tables beneath) and their drawings."""

    days: list[Day]
    countries: list[CountryCount]
    days_chart: Markup
    countries_chart: Markup
    #: the place whose days they are, as the page names it: "Harbin (Asia/Shanghai)"
    zone: str


def number(value: int) -> str:
    """A count as the page's language writes it."""
    return format_decimal(value, locale=current_language())


def day_shown(day: date) -> str:
    """A day in full, as the page's language writes it: '12 May 2026', '12 мая 2026 г.'."""
    return format_date(day, "medium", locale=current_language())


def _short(day: date) -> str:
    return format_skeleton("MMMd", day, locale=current_language())


def _days_chart(days: list[Day], zone: str) -> Markup:
    if not days:
        return Markup("")
    bars = [Bar(_short(d.day), d.registered, number(d.registered),
                _("%(day)s: %(registered)s registered, %(total)s in all",
                  day=day_shown(d.day), registered=number(d.registered), total=number(d.total)))
            for d in days]
    busiest = max(days, key=lambda d: d.registered)
    summary = ngettext(
        "%(num)d registration from %(first)s to %(last)s (%(zone)s); "
        "the most in one day: %(most)s on %(day)s.",
        "%(num)d registrations from %(first)s to %(last)s (%(zone)s); "
        "the most in one day: %(most)s on %(day)s.",
        days[-1].total, first=day_shown(days[0].day), last=day_shown(days[-1].day), zone=zone,
        most=number(busiest.registered), day=day_shown(busiest.day))
    return columns_with_line(bars, [d.total for d in days], label=summary,
                             title=_("Registrations over time"), number=number)


def _countries_chart(countries: list[CountryCount]) -> Markup:
    if not countries:
        return Markup("")
    bars = [Bar(c.name, c.count, number(c.count), f"{c.name}: {number(c.count)}") for c in countries]
    summary = "; ".join(f"{c.name}: {number(c.count)}" for c in countries)
    return horizontal_bars(bars, label=_("Registrations by country: %(counts)s", counts=summary),
                           title=_("Registrations by country"))


def overview_charts(event: Event, today: date | None = None) -> OverviewCharts:
    """Both charts of the event's overview; two queries, however many registered."""
    zone = f"{place_of(event.timezone)} ({event.timezone})"
    days = registrations_by_day(event, today)
    countries = registrations_by_country(event.id)
    return OverviewCharts(days, countries, _days_chart(days, zone), _countries_chart(countries), zone)

