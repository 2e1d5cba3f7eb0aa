"""Counts of an event's registrations by status and country, kept in step with every change.

Whoever changes a registration's status changes the tally in the same statement or
transaction (the seat statement, promotion, cancellation, approval), so the
organisers' pages read a few rows instead of counting a hundred thousand.
"""

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from eventsys.database import db
from eventsys.registration.models import Registration, RegistrationStatus, RegistrationTally

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_KEY = ["event_id", "status", "country"]


def _upsert(dialect: str):
    return _INSERTS[dialect](RegistrationTally)


def count_new(registered, dialect: str = "postgresql"):
    """INSERT … SELECT adding one to the tally for each row of `registered` (event_id, status, country)."""
    # A constant written out, not a parameter: the seat statement must stay short (seats.constant).
    source = sa.select(registered.c.event_id, registered.c.status, registered.c.country,
                       sa.literal_column("1", sa.Integer))
    if dialect == "sqlite":  # it cannot parse ON CONFLICT after a SELECT without WHERE (it reads a join's ON)
        source = source.where(sa.true())
    insert = _upsert(dialect).from_select([*_KEY, "count"], source)
    return insert.on_conflict_do_update(
        index_elements=_KEY, set_={"count": RegistrationTally.count + insert.excluded.count}
    )


def shift(event_id: int, moves: Iterable[tuple[str, RegistrationStatus | None, RegistrationStatus]]) -> None:
    """Record status changes (country, old status or None for a new row, new status) in the session."""
    deltas: Counter[tuple[RegistrationStatus, str]] = Counter()
    for country, old, new in moves:
        if old == new:
            continue
        if old is not None:
            deltas[(old, country)] -= 1
        deltas[(new, country)] += 1
    rows = [
        {"event_id": event_id, "status": status, "country": country, "count": delta}
        for (status, country), delta in deltas.items() if delta
    ]
    if not rows:
        return
    insert = _upsert(db.session.get_bind().dialect.name)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=_KEY, set_={"count": RegistrationTally.count + insert.excluded.count}
        ),
        rows,
    )


def counts(event_id: int) -> dict[tuple[RegistrationStatus, str], int]:
    """The tally of one event: (status, country) → how many; one query."""
    rows = db.session.execute(
        sa.select(RegistrationTally.status, RegistrationTally.country, RegistrationTally.count).where(
            RegistrationTally.event_id == event_id, RegistrationTally.count != 0
        )
    )
    return {(status, country): count for status, country, count in rows}


def recount(event_id: int) -> dict[tuple[RegistrationStatus, str], int]:
    """The same figures counted from the registrations themselves (for tests and repairs)."""
    rows = db.session.execute(
        sa.select(Registration.status, Registration.country, sa.func.count())
        .where(Registration.event_id == event_id)
        .group_by(Registration.status, Registration.country)
    )
    return {(status, country): count for status, country, count in rows}
