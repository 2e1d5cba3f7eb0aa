"""The registration rules: register, cancel and promote, race-free on PostgreSQL and SQLite.

Every change to an event's seats happens under that event's row lock: taken by
the INSERT ... SELECT ... FOR UPDATE that registers, and by `lock_event` for
cancelling and promoting. The lock serialises changes for one event only, so the
seat counters on the event and the statuses of its registrations never disagree,
and no count can pass capacity whatever the concurrency.
"""

import re
import secrets
from datetime import datetime
from typing import Any, NoReturn

import sqlalchemy as sa
from babel.dates import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import Session, make_transient_to_detached

from eventsys.database import committed, db, utcnow
from eventsys.events.models import Event, EventStatus
from eventsys.locales import current_language
from eventsys.mail import outbox
from eventsys.registration import checkin_codes, limits, tally
from eventsys.registration.applicants import Applicant, clean_applicant
from eventsys.registration.applicants import clean_applicant as check_applicant
from eventsys.registration.emails import (
    REGISTRATION_CANCELLED,
    REGISTRATION_PROMOTED,
    enqueue_for_registrations,
)
from eventsys.registration.errors import (
    AlreadyRegistered,
    InvalidRegistration,
    RegistrationClosed,
    RegistrationError,
)
from eventsys.registration.mailboxes import mailbox_key
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.seats import MailboxLimit, take_seat
from eventsys.webhooks import emit as webhooks

#: the names callers use as services.<name>: the rules and the ways they can refuse
__all__ = [
    "AlreadyRegistered", "Applicant", "InvalidRegistration", "RegistrationClosed", "RegistrationError",
    "active_registration", "cancel_registration", "check_applicant", "ensure_cancellable",
    "ensure_registration_open", "fill_free_seats", "find_by_token", "has_free_seat", "lock_event",
    "promote_from_waitlist", "read_outside_transactions", "register", "register_checked", "waitlist_position",
]

#: what secrets.token_urlsafe produces; anything else cannot be a token and is not looked up
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def ensure_registration_open(event: Event, now: datetime | None = None) -> None:
    """Raise RegistrationClosed with the reason when the event does not take registrations now."""
    now = now or utcnow()
    if event.status is EventStatus.cancelled:
        raise RegistrationClosed(_("This event has been cancelled."), gone=True)
    if event.status is not EventStatus.published:
        raise RegistrationClosed(_("This event is not open for registration yet."), gone=False)
    if now >= event.ends_at:
        raise RegistrationClosed(_("This event has already taken place."), gone=True)
    if event.registration_closes_at and now >= event.registration_closes_at:
        raise RegistrationClosed(_("Registration for this event has closed."), gone=True)
    if event.registration_opens_at and now < event.registration_opens_at:
        opens, language = event.registration_opens_at, current_language()
        raise RegistrationClosed(_(
            "Registration opens on %(date)s at %(time)s (%(timezone)s).",
            date=format_datetime(opens, "dd MMMM y", tzinfo=event.zone, locale=language),
            time=format_datetime(opens, "HH:mm", tzinfo=event.zone, locale=language),
            timezone=event.timezone,
        ), gone=False)


def lock_event(event_id: int) -> Event:
    """Take the event's row lock until commit and return the event as it is now.

    An UPDATE rather than SELECT ... FOR UPDATE, because it locks on both databases:
    PostgreSQL locks the row, SQLite takes its single write lock, and in both the
    statement waits for the previous holder instead of reading a stale count.
    """
    statement = (
        sa.update(Event)
        .where(Event.id == event_id)
        .values(waitlist_seq=Event.waitlist_seq)
        .returning(Event)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return db.session.scalars(statement).one()


def has_free_seat(event: Event) -> bool:
    """The seat rule, on a locked event: a seat is free when capacity allows and nobody waits for one.

    The waiting list comes first, always: a seat that frees while people wait is theirs
    (fill_free_seats gives it in the same transaction), never a newcomer's or an approval's.
    Seats held for invitees (eventsys/invitations/) are taken as far as anyone else is
    concerned. seats._seat_free is its SQL twin.
    """
    below_capacity = event.capacity is None or event.confirmed_count + event.held_count < event.capacity
    return below_capacity and event.waitlisted_count == 0


def active_registration(event_id: int, email_key: str) -> Registration | None:
    """The person's registration for the event that is not cancelled, if any."""
    return db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event_id,
            Registration.email_key == email_key,
            Registration.status != RegistrationStatus.cancelled,
        )
    ).first()


def read_outside_transactions() -> None:
    """On PostgreSQL, let this request's reads and its seat statement share one connection in autocommit.

    Call before the request's first query (the public registration views do). A public
    registration only reads (the event, the mailbox's recent registrations) before its
    seat statement, which decides everything again under the event's lock: no
    transaction needs to span them. Without one there is no BEGIN and no COMMIT to wait
    for, and no second connection (with its pool's liveness ping) for the seat; that was
    a third of the round trips of registering. Writing in the session afterwards (an
    email verification's attempt) commits first, which ends this mode.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    if db.session().in_transaction():
        # Only reads can have run before (tests share the session with the app): end them.
        db.session.commit()
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _autocommit_connection() -> sa.Connection | None:
    """The session's connection when read_outside_transactions put it in autocommit, else None."""
    if not db.session().in_transaction():
        return None
    connection = db.session.connection()
    return connection if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT" else None


def _explain_no_seat(event: Event, email: str, now: datetime, mailbox: MailboxLimit | None) -> NoReturn:
    """Raise why no seat was taken: the event closed after it was read, or the mailbox had its share."""
    # From the event as it is now (event may be a snapshot a second old).
    ensure_registration_open(db.session.get(Event, event.id, populate_existing=True), now)
    if mailbox is not None:
        # The hour's window may have moved on since: then a retry passes at once.
        raise limits.mailbox_refusal(email, now) or limits.TooManyRegistrations(
            _("This email address has received too many registrations in the last hour; try again."),
            retry_after=1, field="email")
    raise RegistrationClosed(_("Registration for this event has closed."), gone=True)


def _take_seat_once_per_person(values: dict[str, Any], connection: sa.Connection | None,
                               mailbox: MailboxLimit | None):
    """take_seat, or AlreadyRegistered when the person holds a place already.

    A unique index refused the row: the one on (event, mailbox) means the person is
    registered; the one on the check-in code means a random code came up twice
    (about once in a million registrations of a large event), and a new one is drawn.
    """
    for _attempt in range(3):
        try:
            return take_seat(values, connection, mailbox)
        except sa.exc.IntegrityError:
            existing = active_registration(values["event_id"], values["email_key"])
            if existing is not None:
                raise AlreadyRegistered(existing) from None
            values["checkin_code"] = checkin_codes.new_code()
    return take_seat(values, connection, mailbox)


def register(event: Event, applicant: Applicant, now: datetime | None = None, *,
             limit_mailbox: bool = False) -> Registration:
    """Register the applicant: a confirmed seat while any is left, else the waiting list.

    limit_mailbox applies the public's per-mailbox limit (limits.py), decided with the
    seat. Raises InvalidRegistration, RegistrationClosed, AlreadyRegistered or
    limits.TooManyRegistrations; on any refusal nothing is written.
    """
    now = now or utcnow()
    ensure_registration_open(event, now)
    values = clean_applicant(event, applicant)
    return register_checked(event, values, applicant.locale, now, limit_mailbox=limit_mailbox)


def register_checked(event: Event, checked: dict[str, Any], locale: str, now: datetime,
                     consented_at: datetime | None = None, *, limit_mailbox: bool = False) -> Registration:
    """register, for what clean_applicant already accepted (kept while an email address was confirmed).

    The seat is decided now, under the event's lock; consented_at is when the person
    agreed, if before now. Raises RegistrationClosed, AlreadyRegistered, or (with
    limit_mailbox) limits.TooManyRegistrations.
    """
    # Attempts kept while an address was confirmed may predate the zone: they have none.
    values = dict(checked, timezone=checked.get("timezone"), name_latin=checked.get("name_latin") or "",
                  event_id=event.id,
                  email_key=mailbox_key(checked["email"]), token=secrets.token_urlsafe(24),
                  checkin_code=checkin_codes.new_code(), locale=locale, created_at=now,
                  consented_at=consented_at or now)
    mailbox = MailboxLimit(limits.mailbox_allowance(), now - limits.MAILBOX_WINDOW) if limit_mailbox else None
    connection = _autocommit_connection()
    if connection is None:
        # End the read transaction: the seat is taken on a connection that commits by itself.
        db.session.commit()
    seat = _take_seat_once_per_person(values, connection, mailbox)
    if seat is None:
        _explain_no_seat(event, values["email"], now, mailbox)
    registration = Registration(
        **values, id=seat.registration_id, status=seat.status, waitlist_number=seat.waitlist_number
    )
    registration.position_when_registered = seat.position
    # Everything about the new row is known: put it in the session without reading it back.
    make_transient_to_detached(registration)
    db.session.add(registration)
    # The seat was committed on a connection of its own, so the session's commit hook cannot see it.
    outbox.dispatch([seat.email_id])
    webhooks.hand_over_committed([seat.webhook_message_id])
    return registration


def waitlist_position(registration: Registration, session: Session | None = None) -> int | None:
    """1 for the first person waiting, and so on; None when not on the waiting list.

    session: the one to ask in, when not the request's (the mail worker has its own).
    """
    if registration.status is not RegistrationStatus.waitlisted:
        return None
    return (session or db.session).scalar(
        sa.select(sa.func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.waitlisted,
            Registration.waitlist_number <= registration.waitlist_number,
        )
    )


def fill_free_seats(event: Event, now: datetime) -> list[Registration]:
    """Confirm people from the head of the waiting list while seats are free; caller holds the lock.

    A seat held for an invitee is not free; one an invitation released is, and goes here.
    """
    free = None if event.capacity is None else event.capacity - event.confirmed_count - event.held_count
    if free is not None and free <= 0:
        return []
    query = (
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.waitlisted)
        .order_by(Registration.waitlist_number)
    )
    if free is not None:
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for registration in promoted:
        registration.status = RegistrationStatus.confirmed
        registration.promoted_at = now
    event.confirmed_count += len(promoted)
    event.waitlisted_count -= len(promoted)
    tally.shift(event.id, [(r.country, RegistrationStatus.waitlisted, RegistrationStatus.confirmed)
                           for r in promoted])
    if promoted:
        db.session.flush()
        enqueue_for_registrations(REGISTRATION_PROMOTED, Registration.id.in_([r.id for r in promoted]))
        webhooks.emit_registrations("registration.promoted", event, promoted)
    return promoted


def promote_from_waitlist(event_id: int, now: datetime | None = None) -> list[Registration]:
    """Fill every free seat from the waiting list, first come first served; returns who moved up."""
    now = now or utcnow()
    with committed():
        event = lock_event(event_id)
        promoted = fill_free_seats(event, now)
    return promoted


def ensure_cancellable(registration: Registration, now: datetime | None = None) -> None:
    """Raise RegistrationError when the registrant may no longer cancel by themselves."""
    if registration.status is RegistrationStatus.cancelled:
        raise RegistrationError(_("This registration is already cancelled."))
    if (now or utcnow()) >= registration.event.starts_at:
        raise RegistrationError(_("The event has started; registrations can no longer be cancelled."))


def cancel_registration(registration_id: int, now: datetime | None = None) -> list[Registration]:
    """Cancel a registration; a freed seat goes to the first person waiting, in the same transaction.

    Returns the registrations promoted because of it. Cancelling twice changes nothing.
    """
    now = now or utcnow()
    with committed():
        event_id = db.session.scalar(
            sa.select(Registration.event_id).where(Registration.id == registration_id)
        )
        event = lock_event(event_id)
        registration = db.session.scalars(
            sa.select(Registration)
            .where(Registration.id == registration_id)
            .execution_options(populate_existing=True)
        ).one()
        promoted: list[Registration] = []
        was = registration.status
        if was is not RegistrationStatus.cancelled:
            enqueue_for_registrations(REGISTRATION_CANCELLED, Registration.id == registration.id)
            registration.status = RegistrationStatus.cancelled
            registration.cancelled_at = now
            tally.shift(event.id, [(registration.country, was, RegistrationStatus.cancelled)])
            webhooks.emit_registrations("registration.cancelled", event, [registration])
        if was is RegistrationStatus.confirmed:
            event.confirmed_count -= 1
            promoted = fill_free_seats(event, now)
        elif was is RegistrationStatus.waitlisted:
            event.waitlisted_count -= 1
    return promoted


def find_by_token(token: str) -> Registration | None:
    """The registration a self-service link points to, if any."""
    if not _TOKEN_SHAPE.fullmatch(token or ""):
        return None
    return db.session.scalars(sa.select(Registration).where(Registration.token == token)).first()
