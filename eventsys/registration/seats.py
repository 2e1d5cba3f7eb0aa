"""Taking a seat or a waiting-list place atomically, in as few steps under the lock as each database allows.

The registration rule (a seat while any is left, else the next waiting-list number)
is decided by the database itself, on the locked event row. How long that lock is
held bounds how many people one event can register per second, so:

- on PostgreSQL one statement locks the event, bumps its counters and inserts the
  registration, and runs in autocommit: the lock is released the moment the
  statement ends, with no round trip back to Python while other requests wait;
- on SQLite, whose writers are serialised anyway, an INSERT ... SELECT takes the
  write lock and decides, and an UPDATE keeps the counters in step, in one transaction.
"""

from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from eventsys.database import db
from eventsys.events.models import Event, EventStatus
from eventsys.registration.models import Registration, RegistrationStatus


class Seat(NamedTuple):
    """What the database decided for one new registration."""

    registration_id: int
    status: RegistrationStatus
    waitlist_number: int | None
    #: place on the waiting list at the moment of registering; None when confirmed
    position: int | None


def _seat_free():
    return sa.or_(Event.capacity.is_(None), Event.confirmed_count < Event.capacity)


def _still_open(now: datetime):
    """The SQL twin of services.ensure_registration_open, checked under the lock."""
    return sa.and_(
        Event.status == EventStatus.published,
        Event.ends_at > now,
        sa.or_(Event.registration_closes_at.is_(None), Event.registration_closes_at > now),
        sa.or_(Event.registration_opens_at.is_(None), Event.registration_opens_at <= now),
    )


def _postgresql_statement(values: dict[str, Any]):
    """One statement: lock the open event, count the seat, insert the registration."""
    columns = Registration.__table__.c
    now = values["created_at"]
    locked = (
        sa.select(Event.id, _seat_free().label("seat_free"))
        .where(Event.id == values["event_id"], _still_open(now))
        .with_for_update()
        .cte("locked")
    )
    # Counters are bumped from the row as the FOR UPDATE above found it, after any earlier holder.
    waiting = sa.case((locked.c.seat_free, 0), else_=1)
    counted = (
        sa.update(Event.__table__)
        .where(Event.id == locked.c.id)
        .values(
            confirmed_count=Event.confirmed_count + 1 - waiting,
            waitlisted_count=Event.waitlisted_count + waiting,
            waitlist_seq=Event.waitlist_seq + waiting,
        )
        .returning(locked.c.seat_free, Event.waitlisted_count, Event.waitlist_seq)
        .cte("counted")
    )
    source = sa.select(
        *(sa.literal(value, columns[name].type) for name, value in values.items()),
        sa.case((counted.c.seat_free, RegistrationStatus.confirmed.value),
                else_=RegistrationStatus.waitlisted.value),
        sa.case((counted.c.seat_free, sa.null()), else_=counted.c.waitlist_seq),
    )
    position = sa.select(sa.case((counted.c.seat_free, sa.null()), else_=counted.c.waitlisted_count))
    return (
        sa.insert(Registration)
        .from_select([*values, "status", "waitlist_number"], source)
        .returning(Registration.id, Registration.status, Registration.waitlist_number,
                   position.scalar_subquery())
    )


def _take_seat_on_postgresql(connection: sa.Connection, values: dict[str, Any]) -> Seat | None:
    autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
    row = autocommit.execute(_postgresql_statement(values)).one_or_none()
    return Seat(*row) if row else None


def _take_seat_on_sqlite(connection: sa.Connection, values: dict[str, Any]) -> Seat | None:
    columns = Registration.__table__.c
    source = sa.select(
        *(sa.literal(value, columns[name].type) for name, value in values.items()),
        sa.case((_seat_free(), RegistrationStatus.confirmed.value),
                else_=RegistrationStatus.waitlisted.value),
        sa.case((_seat_free(), sa.null()), else_=Event.waitlist_seq + 1),
    ).where(Event.id == values["event_id"], _still_open(values["created_at"]))
    insert = (
        sa.insert(Registration)
        .from_select([*values, "status", "waitlist_number"], source)
        .returning(Registration.id, Registration.status, Registration.waitlist_number)
    )
    with connection.begin():
        # The INSERT takes SQLite's write lock before reading the event, so it sees the latest counts.
        row = connection.execute(insert).one_or_none()
        if row is None:
            return None
        waiting = int(row.status is RegistrationStatus.waitlisted)
        waitlisted_count = connection.execute(
            sa.update(Event.__table__)
            .where(Event.id == values["event_id"])
            .values(
                confirmed_count=Event.confirmed_count + 1 - waiting,
                waitlisted_count=Event.waitlisted_count + waiting,
                waitlist_seq=Event.waitlist_seq + waiting,
            )
            .returning(Event.waitlisted_count)
        ).scalar_one()
    return Seat(*row, waitlisted_count if waiting else None)


def take_seat(values: dict[str, Any]) -> Seat | None:
    """Insert the registration described by values (its columns) with the seat the event has for it.

    Commits on its own connection. Returns None when the event no longer takes
    registrations; raises IntegrityError when the email already holds a place.
    """
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            return _take_seat_on_postgresql(connection, values)
        return _take_seat_on_sqlite(connection, values)
