"""The organisers' list of an event's registrations: filters, sort orders and keyset pages.

A page is found by a cursor, the sort key of a row on its edge, never by OFFSET: the
database walks the index (event_id, id) or (event_id, name, id) from the cursor and
stops after one page, so page 1,000 of 100,000 registrations costs what page 1 does.
Nothing here counts the matching rows (that would read them all); the figures at the
top of the page come from the tally, and a page only says whether another follows.
"""

import base64
import binascii
import enum
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from eventsys.database import db
from eventsys.registration.models import NAME_MAX, AttendeeCategory, Registration, RegistrationStatus
from eventsys.textrules import displayable, text_problem
from eventsys.textsearch import contains_ignoring_case

PAGE_SIZE = 50


class Sort(enum.StrEnum):
    oldest = "oldest"
    newest = "newest"
    name = "name"
    name_desc = "name_desc"

    @property
    def by_name(self) -> bool:
        """Whether the sort key is (name, id) rather than id alone."""
        return self in (Sort.name, Sort.name_desc)

    @property
    def descending(self) -> bool:
        """Whether the page runs from the largest key down."""
        return self in (Sort.newest, Sort.name_desc)


@dataclass(frozen=True)
class ListQuery:
    """What the organiser asked to see; the same filters serve the page and the exports."""

    #: part of the name, email or affiliation, any case
    q: str = ""
    status: RegistrationStatus | None = None
    category: AttendeeCategory | None = None
    #: ISO 3166-1 alpha-2
    country: str | None = None
    #: True: arrived; False: not yet; None: everybody
    checked_in: bool | None = None
    #: registered at or after this moment (aware): with registered_until, how a burst is found
    registered_from: datetime | None = None
    #: registered before this moment (aware)
    registered_until: datetime | None = None
    #: the event's zone, in which links write registered_from and registered_until
    zone: str = "UTC"
    sort: Sort = Sort.oldest

    def as_args(self) -> dict[str, str]:
        """The query string that asks for this again (defaults left out), for links."""
        args = {
            "q": self.q,
            "status": self.status.value if self.status else "",
            "category": self.category.value if self.category else "",
            "country": self.country or "",
            "checked_in": {True: "yes", False: "no", None: ""}[self.checked_in],
            "registered_from": self._local(self.registered_from),
            "registered_until": self._local(self.registered_until),
            "sort": "" if self.sort is Sort.oldest else self.sort.value,
        }
        return {name: value for name, value in args.items() if value}

    def _local(self, moment: datetime | None) -> str:
        """A moment as the datetime-local input writes it, in the event's zone."""
        return moment.astimezone(ZoneInfo(self.zone)).strftime("%Y-%m-%dT%H:%M") if moment else ""


class BadCursor(ValueError):
    """A cursor that this code did not make for this sort order."""


def encode_cursor(sort: Sort, registration) -> str:
    """The opaque position of a row in the given order: its sort key, as URL-safe text."""
    # displayable: a name stored before textrules could hold a lone surrogate, which UTF-8 cannot encode
    key = [displayable(registration.name), registration.id] if sort.by_name else [registration.id]
    text = json.dumps(key, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def decode_cursor(sort: Sort, cursor: str) -> tuple:
    """The sort key encoded in cursor; BadCursor when it is not one for this order."""
    if len(cursor) > 4 * NAME_MAX:
        raise BadCursor(cursor)
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        raise BadCursor(cursor) from None
    shape = (str, int) if sort.by_name else (int,)
    valid = (
        isinstance(key, list) and len(key) == len(shape)
        and all(isinstance(v, t) and not isinstance(v, bool) for v, t in zip(key, shape, strict=True))
    )
    # Ids are INTEGER columns: a larger number would make PostgreSQL refuse the whole statement.
    if not valid or not -(2**31) <= key[-1] < 2**31:
        raise BadCursor(cursor)
    # A name no registration can have: PostgreSQL refuses NUL, no driver encodes a lone surrogate.
    if sort.by_name and (len(key[0]) > NAME_MAX or text_problem(key[0], multiline=True)):
        raise BadCursor(cursor)
    return tuple(key)


@dataclass(frozen=True)
class Position:
    """Where a page starts: after or before a cursor's row, or the last page; nothing: the first."""

    after: tuple | None = None
    before: tuple | None = None
    last: bool = False


def position_from(args, sort: Sort) -> tuple[Position, list[str]]:
    """Read after=/before=/last= from a query string; a bad cursor gives the first page and a notice."""
    for name in ("after", "before"):
        if args.get(name):
            try:
                return Position(**{name: decode_cursor(sort, args[name])}), []
            except BadCursor:
                return Position(), ["The page link was not understood; showing the first page."]
    return Position(last=args.get("last") == "1"), []


def search_clause(q: str):
    """Name, email or affiliation contains q, in any case and any alphabet; % and _ are taken literally."""
    columns = (Registration.name, Registration.email, Registration.affiliation)
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite's own lower() and LIKE fold only ASCII; textsearch brings Python's str.lower.
        return sa.or_(*(contains_ignoring_case(column, q) for column in columns))
    # The expression of the trigram index ix_registration_search_trgm (its migration), spaces as
    # literals: a bound parameter in their place would stop PostgreSQL from matching the index.
    space = sa.literal_column("' '")
    searched = Registration.name.op("||")(space).op("||")(Registration.email).op("||")(space) \
        .op("||")(Registration.affiliation)
    return sa.type_coerce(sa.Grouping(searched), sa.String).icontains(q, autoescape=True)


def matching(event_id: int, query: ListQuery) -> list:
    """The WHERE conditions of the query, for the page and the exports alike."""
    where = [Registration.event_id == event_id]
    if query.q:
        where.append(search_clause(query.q))
    if query.status:
        where.append(Registration.status == query.status)
    if query.category:
        where.append(Registration.category == query.category)
    if query.country:
        where.append(Registration.country == query.country)
    if query.registered_from is not None:
        where.append(Registration.created_at >= query.registered_from)
    if query.registered_until is not None:
        where.append(Registration.created_at < query.registered_until)
    if query.checked_in is not None:
        where.append(Registration.checked_in_at.is_not(None) if query.checked_in
                     else Registration.checked_in_at.is_(None))
    return where


def sort_columns(sort: Sort) -> list:
    """The columns of the sort key, matching the index after event_id."""
    return [Registration.name, Registration.id] if sort.by_name else [Registration.id]


def ordering(sort: Sort, reverse: bool = False) -> list:
    """ORDER BY for the sort, or for its reverse (to read the rows before a cursor)."""
    descending = sort.descending != reverse
    return [column.desc() if descending else column.asc() for column in sort_columns(sort)]


def _beyond(sort: Sort, key: tuple, reverse: bool):
    """Rows strictly past key in the direction read: a row-value comparison the index can seek."""
    columns = sort_columns(sort)
    left = sa.tuple_(*columns) if len(columns) > 1 else columns[0]
    right = sa.tuple_(*(sa.literal(v) for v in key)) if len(key) > 1 else key[0]
    return left < right if sort.descending != reverse else left > right


@dataclass
class Page:
    """One page of registrations and the cursors of its neighbours (None: no page that way)."""

    rows: list[Registration]
    next_cursor: str | None
    previous_cursor: str | None
    #: whether First / Last lead anywhere else than here
    has_before: bool = False
    has_after: bool = False


def page_of(event_id: int, query: ListQuery, position: Position, size: int = PAGE_SIZE) -> Page:
    """One page in one statement: size + 1 rows are read to know whether another page follows."""
    backwards = position.before is not None or position.last
    statement = sa.select(Registration).where(*matching(event_id, query))
    cursor = position.after or position.before
    if cursor is not None:
        statement = statement.where(_beyond(query.sort, cursor, reverse=backwards))
    statement = statement.order_by(*ordering(query.sort, reverse=backwards)).limit(size + 1)
    rows = list(db.session.scalars(statement))
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        has_before, has_after = more, position.before is not None
    else:
        has_before, has_after = position.after is not None, more
    return Page(
        rows=rows,
        next_cursor=encode_cursor(query.sort, rows[-1]) if rows and has_after else None,
        previous_cursor=encode_cursor(query.sort, rows[0]) if rows and has_before else None,
        has_before=has_before,
        has_after=has_after,
    )


@dataclass(frozen=True)
class Summary:
    """The figures at the top of the list, from the tally."""

    by_status: list[tuple[RegistrationStatus, int]]
    #: active (not cancelled) registrations per country, most first
    by_country: list[tuple[str, int]]
    total: int


def summary(counts: dict[tuple[RegistrationStatus, str], int]) -> Summary:
    """Group the tally's (status, country) counts for display."""
    by_status: Counter[RegistrationStatus] = Counter()
    by_country: Counter[str] = Counter()
    for (status, country), n in counts.items():
        by_status[status] += n
        if status is not RegistrationStatus.cancelled:
            by_country[country] += n
    return Summary(
        by_status=[(status, by_status[status]) for status in RegistrationStatus],
        by_country=sorted(by_country.items(), key=lambda item: (-item[1], item[0])),
        total=sum(by_status.values()),
    )
