"""Taking a seat or a waiting-list place atomically, in as few steps under the lock as each database allows.

The registration rule (a seat while any is left and nobody is waiting for it, else
the next waiting-list number) is decided by the database itself, on the locked event
row as it is once the lock is granted. How long that lock is
held bounds how many people one event can register per second, so:

- on PostgreSQL one statement locks the event, bumps its counters, inserts the
  registration, its first email into the outbox, its place in the tally and (when an
  endpoint may want it) its webhook message, and runs in autocommit: the
  lock is released the moment the statement ends, with no round trip back to
  Python while other requests wait;
- on SQLite, whose writers are serialised anyway, an INSERT ... SELECT takes the
  write lock and decides, an UPDATE keeps the counters in step and the email row (and
  webhook message) are added, in one transaction.
"""

import re
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

import sqlalchemy as sa

from eventsys.database import UTCDateTime, db
from eventsys.events.models import Event, EventStatus
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration import limits, tally
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.webhooks.emit import endpoints_for
from eventsys.webhooks.message_types import REGISTRATION_CREATED
from eventsys.webhooks.models import WebhookMessage


class Seat(NamedTuple):
    """What the database decided for one new registration."""

    registration_id: int
    status: RegistrationStatus
    waitlist_number: int | None
    #: place on the waiting list at the moment of registering; None when confirmed
    position: int | None
    #: the outbox row of the confirmation or waiting-list email, written with the registration
    email_id: int
    #: its registration.created webhook message, written with it when an endpoint may want it
    webhook_message_id: int | None = None


#: the columns a new registration is inserted with, from values passed as parameters "v_<column>"
#: (v_, not new_: the prefix is written ~30 times in the statement, whose length counts: see constant())
COLUMNS = ("event_id", "name", "name_latin", "email", "email_key", "affiliation", "country", "category",
           "answers", "token", "checkin_code", "locale", "timezone", "created_at", "consented_at")


def constant(value: int | str):
    """A constant written into the statement's text, not sent as a parameter.

    A bound constant is written `%(param_3)s::INTEGER`; written out it is `1`. This
    keeps the PostgreSQL statement under psycopg's limit for caching its parsed form
    (psycopg._queries.MAX_CACHED_STATEMENT_LENGTH, 4096 characters): above it, every
    execution re-parsed the whole text, a tenth of a registration's CPU.
    """
    if isinstance(value, int):
        return sa.literal_column(str(int(value)), sa.Integer)
    # Only our own names (statuses, kinds): nothing from outside is ever written into SQL.
    if not re.fullmatch(r"[a-z_:.]+", value):
        raise ValueError(f"not a safe SQL constant: {value!r}")
    return sa.literal_column(f"'{value}'", sa.String)


class _DriverTyped(sa.types.TypeDecorator):
    """On PostgreSQL, a parameter SQLAlchemy neither converts nor casts: psycopg types the value.

    Strings go as "unknown" and take the type of what they meet; aware datetimes go
    as timestamptz. SQLAlchemy's rendered cast (`::TIMESTAMP WITH TIME ZONE`) would add
    its length at every use: see constant(). Other databases get the column's type.
    """

    cache_ok = True

    def load_dialect_impl(self, dialect):
        return sa.types.NullType() if dialect.name == "postgresql" else self.impl_instance


class _DriverTypedText(_DriverTyped):
    impl = sa.String
    cache_ok = True


class _DriverTypedTime(_DriverTyped):
    impl = UTCDateTime
    cache_ok = True


class _DriverTypedInteger(_DriverTyped):
    impl = sa.Integer
    cache_ok = True


def _as_sent(name: str, column_type: sa.types.TypeEngine):
    """A parameter for a column of this type: see _DriverTyped. Enums and JSON keep their conversion."""
    if isinstance(column_type, UTCDateTime):
        return sa.bindparam(name, type_=_DriverTypedTime())
    if isinstance(column_type, sa.String) and not isinstance(column_type, sa.Enum):
        return sa.bindparam(name, type_=_DriverTypedText())
    if isinstance(column_type, sa.Integer):
        return sa.bindparam(name, type_=_DriverTypedInteger())
    return sa.bindparam(name, type_=column_type)


def _unlabelled(parameter: sa.BindParameter):
    """A parameter as a column of a SELECT, written without `AS anon_N` after it (see constant())."""
    return sa.text(f":{parameter.key}").bindparams(parameter)


def _seat_free():
    """The SQL twin of services.has_free_seat: a seat free (not held for an invitee), nobody waiting."""
    return sa.and_(
        sa.or_(Event.capacity.is_(None), Event.confirmed_count + Event.held_count < Event.capacity),
        Event.waitlisted_count == constant(0),
    )


def _still_open():
    """The SQL twin of services.ensure_registration_open, checked under the lock at created_at."""
    now = _as_sent("v_created_at", Registration.created_at.type)
    return sa.and_(
        Event.status == EventStatus.published,
        Event.ends_at > now,
        sa.or_(Event.registration_closes_at.is_(None), Event.registration_closes_at > now),
        sa.or_(Event.registration_opens_at.is_(None), Event.registration_opens_at <= now),
    )


#: what mailbox_allowed is when no per-mailbox limit applies (organisers, a confirmed address's click)
NO_MAILBOX_LIMIT = 2**31 - 1


def _mailbox_has_room():
    """The per-mailbox limit (limits.py), decided with the seat: the mailbox had room for one more.

    Deciding it in the statement saves the request a round trip of its own. A
    refusal writes nothing, like a closed event; services tells the two apart.
    """
    allowed = _as_sent("mailbox_allowed", sa.Integer())
    recent = limits.recent_writes(
        _as_sent("v_email_key", Registration.email_key.type),
        _as_sent("mailbox_since", Registration.created_at.type), allowed,
    ).subquery()
    return sa.select(sa.func.count()).select_from(recent).scalar_subquery() < allowed


def _counters_after_one_more(confirming, waiting) -> dict:
    """The event's counters once one more person is registered; each argument is 1 (or a SQL 1) or 0.

    A pending registration (approval mode) is neither: it changes no counter.
    """
    return {
        "confirmed_count": Event.confirmed_count + confirming,
        "waitlisted_count": Event.waitlisted_count + waiting,
        "waitlist_seq": Event.waitlist_seq + waiting,
        # A registration is no edit of the event: keep updated_at for the organisers' changes.
        "updated_at": Event.updated_at,
    }


def _outcome(approval, seat_free):
    """The new registration's status: pending in approval mode, else a seat while one is free (SQLite)."""
    return sa.case(
        (approval, constant(RegistrationStatus.pending.value)),
        (seat_free, constant(RegistrationStatus.confirmed.value)),
        else_=constant(RegistrationStatus.waitlisted.value),
    )


def _first_email(registered):
    """INSERT of the email that answers a registration ("registration_confirmed" or "_waitlisted").

    registered has the new registration's id, status, email, locale and event_id: the
    email row is written by the same statement or transaction as the registration.
    """
    # The kind is built in SQL as "registration_" || status: each status a registration can start with
    # must have its kind named so in registration/emails.py (EMAIL_TELLING_STATUS), which outbox rows and
    # templates already carry.
    kind = constant("registration_") + sa.type_coerce(registered.c.status, sa.String)
    now = _unlabelled(_as_sent("v_created_at", OutboundEmail.created_at.type))
    source = sa.select(
        kind,
        registered.c.email,
        kind + constant(":registration:") + sa.cast(registered.c.id, sa.String),
        registered.c.locale,
        sa.literal_column("'{}'", OutboundEmail.context.type),
        registered.c.event_id,
        registered.c.id,
        constant(EmailState.queued.value),
        constant(0),
        now,
        now,
    )
    return sa.insert(OutboundEmail).from_select(
        ["kind", "recipient", "idempotency_key", "locale", "context", "event_id", "registration_id",
         "state", "attempts", "next_attempt_at", "created_at"],
        source,
    ).returning(OutboundEmail.id)


def _webhook_message(registered, dialect: str):
    """INSERT of the registration.created webhook message, once if any endpoint may want it (emit.py).

    registered has the new registration's id and status (the payload adds the event, from event_id).
    On PostgreSQL the message's created_at is the column's default, the statement's time: one
    parameter less to write (see constant()).
    """
    build = sa.func.json_build_object if dialect == "postgresql" else sa.func.json_object
    data = build(constant("registration"),
                 build(constant("id"), registered.c.id, constant("status"), registered.c.status)).label("d")
    event_id = _as_sent("v_event_id", WebhookMessage.event_id.type)
    columns = {"type": constant(REGISTRATION_CREATED), "event_id": _unlabelled(event_id), "data": data}
    if dialect != "postgresql":
        columns["created_at"] = _unlabelled(_as_sent("v_created_at", WebhookMessage.created_at.type))
    endpoint, wanting = endpoints_for(event_id)
    source = sa.select(*columns.values()).select_from(registered.join(endpoint, wanting)).limit(constant(1))
    return sa.insert(WebhookMessage).from_select(list(columns), source, include_defaults=False) \
        .returning(WebhookMessage.id)


def _parameters():
    """The new registration's columns as bound parameters, for the SELECT that feeds the INSERT."""
    columns = Registration.__table__.c
    # Prefixed: a parameter named like a column would be taken as a value for that column.
    return [_unlabelled(_as_sent(f"v_{name}", columns[name].type)) for name in COLUMNS]


class MailboxLimit(NamedTuple):
    """The per-mailbox limit a registration is taken under: fewer than `allowed` writes since `since`."""

    allowed: int
    since: datetime


def _as_parameters(values: dict[str, Any], mailbox: MailboxLimit | None) -> dict[str, Any]:
    parameters = {f"v_{name}": values[name] for name in COLUMNS}
    mailbox = mailbox or MailboxLimit(NO_MAILBOX_LIMIT, values["created_at"])
    parameters.update(mailbox_allowed=mailbox.allowed, mailbox_since=mailbox.since)
    return parameters


def _outcome_after_counting():
    """The new registration's status, read back from the event row its UPDATE has just written.

    A confirmed newcomer leaves nobody waiting (a seat is free only then), a waiting
    one leaves at least themselves: so the counters after the UPDATE tell which way the
    decision went, and the decision is never taken twice from two versions of the row.
    """
    return sa.case(
        (Event.requires_approval, constant(RegistrationStatus.pending.value)),
        (Event.waitlisted_count == constant(0), constant(RegistrationStatus.confirmed.value)),
        else_=constant(RegistrationStatus.waitlisted.value),
    )


# Statements are built once: building them costs more CPU than running them.
@cache
def _postgresql_statement():
    """One statement: count the seat on the open event, insert the registration, its email, its tally.

    The UPDATE takes the event's row lock and decides the seat in its SET, on the row
    as it is once the lock is granted: in READ COMMITTED a row changed by an earlier
    holder is re-read and re-checked (WHERE, then SET) before it is written. Deciding
    in a CTE that reads the row first and counting in a second step would mix the
    locked version with the statement's snapshot, and pass the capacity.
    """
    seat_free = _seat_free()
    one, zero = constant(1), constant(0)
    confirming = sa.case((sa.and_(sa.not_(Event.requires_approval), seat_free), one), else_=zero)
    waiting = sa.case((sa.and_(sa.not_(Event.requires_approval), sa.not_(seat_free)), one), else_=zero)
    counted = (
        sa.update(Event.__table__)
        .where(Event.id == _as_sent("v_event_id", Event.id.type), _still_open(), _mailbox_has_room())
        .values(_counters_after_one_more(confirming, waiting))
        .returning(_outcome_after_counting().label("outcome"), Event.waitlisted_count, Event.waitlist_seq)
        .cte("counted")
    )
    is_waiting = counted.c.outcome == constant(RegistrationStatus.waitlisted.value)
    source = sa.select(
        *_parameters(),
        counted.c.outcome,
        sa.case((is_waiting, counted.c.waitlist_seq), else_=sa.null()),
    )
    registered = (
        sa.insert(Registration)
        .from_select([*COLUMNS, "status", "waitlist_number"], source)
        .returning(Registration.id, Registration.status, Registration.waitlist_number,
                   Registration.email, Registration.locale, Registration.event_id, Registration.country)
        .cte("registered")
    )
    mailed = _first_email(registered).cte("mailed")
    tallied = tally.count_new(registered).cte("tallied")
    hooked = _webhook_message(registered, "postgresql").cte("hooked")
    position = sa.case((is_waiting, counted.c.waitlisted_count), else_=sa.null())
    return sa.select(
        registered.c.id, registered.c.status, registered.c.waitlist_number,
        sa.select(position).scalar_subquery(), sa.select(mailed.c.id).scalar_subquery(),
        sa.select(hooked.c.id).scalar_subquery(),
    ).add_cte(tallied)


@cache
def _sqlite_statement():
    """INSERT ... SELECT deciding the seat from the event row as it is now."""
    outcome = _outcome(Event.requires_approval, _seat_free())
    source = sa.select(
        *_parameters(),
        outcome,
        sa.case((outcome == RegistrationStatus.waitlisted.value, Event.waitlist_seq + 1), else_=sa.null()),
    ).where(Event.id == sa.bindparam("v_event_id"), _still_open(), _mailbox_has_room())
    return (
        sa.insert(Registration)
        .from_select([*COLUMNS, "status", "waitlist_number"], source)
        .returning(Registration.id, Registration.status, Registration.waitlist_number)
    )


def _take_seat_on_postgresql(connection: sa.Connection, values: dict[str, Any],
                             mailbox: MailboxLimit | None) -> Seat | None:
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
    row = connection.execute(_postgresql_statement(), _as_parameters(values, mailbox)).one_or_none()
    return Seat(*row) if row else None


def _take_seat_on_sqlite(connection: sa.Connection, values: dict[str, Any],
                         mailbox: MailboxLimit | None) -> Seat | None:
    with connection.begin():
        # The INSERT takes SQLite's write lock before reading the event, so it sees the latest counts.
        row = connection.execute(_sqlite_statement(), _as_parameters(values, mailbox)).one_or_none()
        if row is None:
            return None
        waiting = int(row.status is RegistrationStatus.waitlisted)
        confirming = int(row.status is RegistrationStatus.confirmed)
        waitlisted_count = connection.execute(
            sa.update(Event.__table__)
            .where(Event.id == values["event_id"])
            .values(_counters_after_one_more(confirming, waiting))
            .returning(Event.waitlisted_count)
        ).scalar_one()
        registered = (
            sa.select(Registration.__table__).where(Registration.id == row.id).subquery("registered")
        )
        email_id = connection.execute(
            _first_email(registered), {"v_created_at": values["created_at"]}
        ).scalar_one()
        connection.execute(tally.count_new(registered, "sqlite"))
        message_id = connection.execute(
            _webhook_message(registered, "sqlite"),
            {"v_event_id": values["event_id"], "v_created_at": values["created_at"]}
        ).scalar()
    return Seat(*row, waitlisted_count if waiting else None, email_id, message_id)


def take_seat(values: dict[str, Any], connection: sa.Connection | None = None,
              mailbox: MailboxLimit | None = None) -> Seat | None:
    """Insert the registration described by values (one per name in COLUMNS) with the seat it gets.

    Commits by itself: on connection when given (PostgreSQL, in autocommit already:
    the public registration's own, services.read_outside_transactions), else on a
    connection of its own. Returns None when the event no longer takes registrations,
    or when mailbox is given and the mailbox had its share; raises IntegrityError when
    the email already holds a place.
    """
    if connection is not None:
        return _take_seat_on_postgresql(connection, values, mailbox)
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            return _take_seat_on_postgresql(connection, values, mailbox)
        return _take_seat_on_sqlite(connection, values, mailbox)
