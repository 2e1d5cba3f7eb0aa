"""The organisers' list query: keyset pages in every order, filters and search; both databases."""

import pytest
from werkzeug.datastructures import MultiDict

from eventsys.database import db, utcnow
from eventsys.registration import handling, listing, services, tally
from eventsys.registration.listing import ListQuery, Position, Sort
from eventsys.registration.models import AttendeeCategory, RegistrationStatus
from tests.conftest import both_databases
from tests.factories import applicant, make_event

pytestmark = both_databases

NAMES = ["Zhang Wei", "Anna Petrova", "Ivan Sidorov", "Li Na", "Olena Shevchenko", "Bob Smith",
         "Carla Gómez", "Anna Petrova", "Dmitry Ivanov", "Emma Brown", "Yuki Tanaka"]


def _register_all(event, **overrides):
    return [services.register(event, applicant(n, name=name, **overrides))
            for n, name in enumerate(NAMES, start=1)]


def _walk(event_id: int, query: ListQuery, size: int = 3) -> list[list[int]]:
    """Every page from the first by following Next, as ids."""
    pages, position = [], Position()
    while True:
        page = listing.page_of(event_id, query, position, size=size)
        pages.append([r.id for r in page.rows])
        if page.next_cursor is None:
            return pages
        position = Position(after=listing.decode_cursor(query.sort, page.next_cursor))


def _expected_order(people, sort: Sort) -> list[int]:
    key = (lambda r: (r.name, r.id)) if sort.by_name else (lambda r: r.id)
    return [r.id for r in sorted(people, key=key, reverse=sort.descending)]


@pytest.mark.parametrize("sort", list(Sort))
def test_following_next_visits_every_registration_once_in_order(app, sort):
    event = make_event(capacity=None)
    people = _register_all(event)
    pages = _walk(event.id, ListQuery(sort=sort))
    assert [len(p) for p in pages] == [3, 3, 3, 2]
    assert [i for p in pages for i in p] == _expected_order(people, sort)


@pytest.mark.parametrize("sort", [Sort.oldest, Sort.name_desc])
def test_previous_first_and_last_lead_back_to_the_same_pages(app, sort):
    event = make_event(capacity=None)
    _register_all(event)
    query = ListQuery(sort=sort)
    pages = _walk(event.id, query)
    second = listing.page_of(event.id, query, Position(after=listing.decode_cursor(
        sort, listing.page_of(event.id, query, Position(), size=3).next_cursor)), size=3)
    assert [r.id for r in second.rows] == pages[1]
    assert second.has_before and second.has_after
    before = Position(before=listing.decode_cursor(sort, second.previous_cursor))
    back = listing.page_of(event.id, query, before, size=3)
    assert [r.id for r in back.rows] == pages[0]
    assert back.previous_cursor is None and not back.has_before and back.next_cursor

    last = listing.page_of(event.id, query, Position(last=True), size=3)
    # The last page is the last three rows, not the remainder after full pages.
    assert [r.id for r in last.rows] == [i for p in pages for i in p][-3:]
    assert last.next_cursor is None and not last.has_after and last.previous_cursor


def test_a_page_is_one_statement_with_a_keyset_condition_not_an_offset(app):
    from tests.querycount import counting_statements

    event = make_event(capacity=None)
    _register_all(event)
    event_id = event.id
    with counting_statements() as statements:
        listing.page_of(event_id, ListQuery(sort=Sort.name, q="an"), Position(after=("Li Na", 1)))
    assert len(statements) == 1
    assert "(registration.name, registration.id) >" in statements[0]
    assert "LIMIT" in statements[0].upper()
    if db.engine.dialect.name == "postgresql":  # SQLite's compiler always writes OFFSET after LIMIT
        assert "OFFSET" not in statements[0].upper()


def test_search_finds_name_email_or_affiliation_in_any_case_and_treats_wildcards_as_text(app):
    event = make_event(capacity=None)
    _register_all(event)
    services.register(event, applicant(50, name="Percent Person", affiliation="100% Institute"))
    services.register(event, applicant(51, name="Under Score", email="under_score@example.org"))

    def found(q: str) -> set[str]:
        return {r.name for r in listing.page_of(event.id, ListQuery(q=q), Position()).rows}

    assert found("PETROVA") == {"Anna Petrova"}
    services.register(event, applicant(52, name="Олена Шевченко"))
    assert found("шевЧЕНКО") == {"Олена Шевченко"}
    assert found("ATTENDEE5@") == {"Olena Shevchenko"}
    assert found("100%") == {"Percent Person"}
    assert found("%") == {"Percent Person"}
    assert found("r_s") == {"Under Score"}
    assert found("bauman") >= {"Zhang Wei", "Yuki Tanaka"}
    assert found("nobody at all") == set()


def test_filters_by_status_category_country_and_check_in(app):
    event = make_event(capacity=2)
    ru = services.register(event, applicant(1, country="RU", category="student"))
    cn = services.register(event, applicant(2, country="CN"))
    waiting = services.register(event, applicant(3, country="CN", category="student"))
    handling.check_in(event.id, cn, now=utcnow(), outside_days_confirmed=True)

    def found(**filters) -> list[int]:
        return [r.id for r in listing.page_of(event.id, ListQuery(**filters), Position()).rows]

    assert found(status=RegistrationStatus.waitlisted) == [waiting.id]
    assert found(category=AttendeeCategory.student) == [ru.id, waiting.id]
    assert found(country="CN") == [cn.id, waiting.id]
    assert found(checked_in=True) == [cn.id]
    assert found(checked_in=False, country="CN") == [waiting.id]
    assert found(country="DE") == []


def test_the_search_and_filters_keep_their_pages(app):
    event = make_event(capacity=None)
    _register_all(event, country="CN")
    services.register(event, applicant(99, name="Anna Ivanova", country="DE"))
    query = ListQuery(q="OV", country="CN", sort=Sort.name)
    ids = [i for p in _walk(event.id, query, size=2) for i in p]
    page = listing.page_of(event.id, query, Position(), size=100)
    assert ids == [r.id for r in page.rows]
    assert [r.name for r in page.rows] == ["Anna Petrova", "Anna Petrova", "Dmitry Ivanov", "Ivan Sidorov"]


@pytest.mark.parametrize("text", ["", "@@@", "bm90IGpzb24", "WyJhIl0", "WzEsMl0", "W3RydWVd",
                                  "WzFlKzk5XQ", "W251bGxd", "WzkyMjMzNzIwMzY4NTQ3NzU4MDdd",
                                  "WzIxNDc0ODM2NDhd"])
def test_a_malformed_cursor_is_refused_as_a_bad_cursor(app, text):
    with pytest.raises(listing.BadCursor):
        listing.decode_cursor(Sort.oldest, text)
    position, notices = listing.position_from(MultiDict({"after": text or "x"}), Sort.oldest)
    assert position == Position() and notices


def test_a_cursor_of_a_name_order_round_trips_non_latin_names(app):
    event = make_event(capacity=None)
    person = services.register(event, applicant(1, name="Шевченко Олена"))
    cursor = listing.encode_cursor(Sort.name, person)
    assert listing.decode_cursor(Sort.name, cursor) == ("Шевченко Олена", person.id)
    with pytest.raises(listing.BadCursor):
        listing.decode_cursor(Sort.oldest, cursor)


def test_the_summary_reads_the_tally(app):
    event = make_event(capacity=1)
    first = services.register(event, applicant(1, country="RU"))
    services.register(event, applicant(2, country="CN"))
    services.register(event, applicant(3, country="CN"))
    services.cancel_registration(first.id)
    db.session.expire_all()
    summary = listing.summary(tally.counts(event.id))
    assert dict(summary.by_status) == {RegistrationStatus.pending: 0, RegistrationStatus.confirmed: 1,
                                       RegistrationStatus.waitlisted: 1, RegistrationStatus.cancelled: 1}
    assert summary.by_country == [("CN", 2)]
    assert summary.total == 3
