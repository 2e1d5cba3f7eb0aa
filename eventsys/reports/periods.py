"""The period a report covers: calendar dates at the school, turned into instants.

A period is a span of whole days in the school's own zone (Harbin keeps Beijing time),
first and last day included, so a report for 2025 means what the office means by it
whatever zone each event was held in.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from eventsys.events.manage_forms import DEFAULT_TIMEZONE

#: the zone whose calendar days a period counts: the school's
REPORT_TIMEZONE = DEFAULT_TIMEZONE
#: the earliest and latest days a period may name; past them a date is a typing mistake
FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    """From `first` to `last`, both days included, in the school's zone."""

    first: date
    last: date

    @property
    def starts_at(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.first, time(0), tzinfo=ZoneInfo(REPORT_TIMEZONE))

    @property
    def ends_before(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=ZoneInfo(REPORT_TIMEZONE))

    def contains(self, day: date) -> bool:
        """Whether the day lies within the period."""
        return self.first <= day <= self.last


def calendar_year(year: int) -> Period:
    """1 January to 31 December of the year."""
    return Period(date(year, 1, 1), date(year, 12, 31))


def last_three_years(today: date) -> Period:
    """The three years up to today: from the day after the same date three years ago."""
    try:
        three_years_ago = today.replace(year=today.year - 3)
    except ValueError:  # 29 February, three years before a year without one
        three_years_ago = today.replace(year=today.year - 3, day=28)
    return Period(three_years_ago + timedelta(days=1), today)


def today_at_school(now: datetime) -> date:
    """The calendar date at the school at the instant now."""
    return now.astimezone(ZoneInfo(REPORT_TIMEZONE)).date()
