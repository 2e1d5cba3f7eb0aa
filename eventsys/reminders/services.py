"""Which reminders are due, and turning each into outbox rows exactly once, however many beats run.

A reminder is one offset before one start of one event. Its ReminderRun row is
inserted before any email, with ON CONFLICT DO NOTHING: of two beat processes
only the one whose insert went through queues the emails, the other waits for
its commit and finds the row taken. The outbox's idempotency key names the start
too (`reminder:<offset>m@<start, UTC>:registration:<id>`): a moved event is
reminded again before its new start, even if a reminder went out for the old one,
and no start is ever reminded of twice, not even when the event moves back to it.
Of the reminders due at once (beat was down, or the event moved) only the latest
is sent; it too is skipped when less than half of its time is left and another
reminder is still to come. A reminder sent late says how long is really left.

The meeting link of an online or hybrid event goes in its last reminder (the
smallest offset, whatever it is), to those who held their seat when it fell due.
Whoever gets a seat after that moment (registers, moves up, is approved, or the
event moved closer) gets the link in the email that tells them, at once:
`link_comes_with_seat` decides that from the same timestamps, so each confirmed
attendee is given the link exactly once per start.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import ngettext
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import load_only

from eventsys.database import db, utcnow
from eventsys.events.models import Event, EventStatus
from eventsys.registration.emails import enqueue_for_registrations
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.reminders.emails import REMINDER
from eventsys.reminders.models import ReminderRun

log = logging.getLogger(__name__)

#: 7 days and 1 day before the start, when the event sets no offsets of its own
DEFAULT_OFFSETS = (7 * 24 * 60, 24 * 60)
#: online and hybrid events also remind 1 hour before, by default; the last reminder carries the meeting link
MEETING_LINK_OFFSET = 60


class DueReminder(NamedTuple):
    """What one event needs now, read before writing so the writes need no second look at the event."""

    event_id: int
    starts_at: datetime
    is_online: bool
    #: the event's smallest offset: its reminder carries the meeting link
    last_offset: int
    #: the reminder to send: the smallest offset whose time has come
    offset: int | None
    #: larger offsets also due (beat was down, or the event moved), and a stale smallest one that a later
    #: reminder will follow: recorded, never sent
    skipped: tuple[int, ...]


def reminder_offsets(event: Event) -> list[int]:
    """Minutes before the start at which the event reminds its registrants, largest first."""
    if event.reminder_offsets is not None:
        # Set by organisers: ignore anything that is not a positive number of minutes.
        return sorted({o for o in event.reminder_offsets if isinstance(o, int) and o > 0}, reverse=True)
    offsets = [*DEFAULT_OFFSETS, MEETING_LINK_OFFSET] if event.is_online else list(DEFAULT_OFFSETS)
    return sorted(offsets, reverse=True)


def starts_in(minutes: int) -> str:
    """'7 days', '1 day', '1 hour', '90 minutes': the offset in the largest unit that divides it."""
    # In the language being written (the email's): made when the email is rendered, never stored.
    if minutes % (24 * 60) == 0:
        return ngettext("%(num)d day", "%(num)d days", minutes // (24 * 60))
    if minutes % 60 == 0:
        return ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def minutes_left(offset: int, left: timedelta) -> int:
    """1440 ('1 day') for a reminder sent on time; sent late, the time really left, in the offset's unit.

    A day reminder sent 23 hours before still says '1 day'; sent 5 hours before, it says '5 hours'.
    """
    for unit in (24 * 60, 60, 1):
        count = round(left / timedelta(minutes=unit))
        if unit <= offset and offset % unit == 0 and count >= 1:
            return count * unit
    return 1



def _stale(offset: int, left: timedelta) -> bool:
    """Less than half of the reminder's time is left (beat was down, or the event just moved)."""
    return left < timedelta(minutes=offset) / 2


def carries_meeting_link(event_is_online: bool, offset: int, last_offset: int) -> bool:
    """Only the last reminder of an online or hybrid event gives the private meeting link, at any offset."""
    return event_is_online and offset == last_offset


def meeting_link_lead(event: Event) -> str | None:
    """'1 hour': how long before the start the last reminder brings the meeting link; None if no reminders."""
    offsets = reminder_offsets(event)
    return starts_in(offsets[-1]) if offsets else None


def meeting_link_due_at(event: Event) -> datetime | None:
    """When the last reminder, the one with the meeting link, falls due; None when the event sends none."""
    offsets = reminder_offsets(event)
    return event.starts_at - timedelta(minutes=offsets[-1]) if offsets else None


def link_comes_with_seat(event: Event, registration: Registration) -> bool:
    """Whether the email giving this person their seat must carry the meeting link itself.

    True for a confirmed attendee of an online or hybrid event who got the seat
    after the last reminder fell due (that reminder skips them), or when the event
    sends no reminders at all. The complement of `_recipients` for the last reminder.
    """
    if not event.is_online or registration.status is not RegistrationStatus.confirmed:
        return False
    due_at = meeting_link_due_at(event)
    return due_at is None or seat_held_since(registration) > due_at


def seat_held_since(registration: Registration) -> datetime:
    """When the person got their seat: moved up, approved, or on registering, whichever came last."""
    return registration.promoted_at or registration.approved_at or registration.created_at


def reminder_scope(offset: int, starts_at: datetime) -> str:
    """'1440m@20261201T0900Z': one reminder's part of the outbox key, its start included.

    To the minute, as organisers set times: a start shifted by seconds (an event made
    through the API, then saved from the form) is the same start and is not reminded of again.
    """
    return f"{offset}m@{starts_at.astimezone(UTC):%Y%m%dT%H%MZ}"


def _due_reminders(now: datetime) -> list[DueReminder]:
    """Every published, not yet started event with a reminder due and not yet queued for its start."""
    # Few events are upcoming at any time, so they are read whole; offsets are filtered in Python.
    events = db.session.scalars(
        sa.select(Event)
        .where(Event.status == EventStatus.published, Event.starts_at > now)
        .options(load_only(Event.id, Event.starts_at, Event.mode, Event.reminder_offsets))
    )
    due = {}
    for event in events:
        offsets = [o for o in reminder_offsets(event) if event.starts_at - timedelta(minutes=o) <= now]
        if offsets:
            due[event.id] = (event, offsets)
    if not due:
        return []
    done = {(event_id, offset) for event_id, offset in db.session.execute(
        sa.select(ReminderRun.event_id, ReminderRun.offset_minutes)
        .join(Event, Event.id == ReminderRun.event_id)
        .where(ReminderRun.event_id.in_(due), ReminderRun.starts_at == Event.starts_at)
    )}
    reminders = []
    for event, offsets in due.values():
        last = reminder_offsets(event)[-1]
        latest, *earlier = reversed(offsets)
        send = None if (event.id, latest) in done else latest
        if send is not None and send != last and _stale(send, event.starts_at - now):
            # A move from tomorrow to the day after would otherwise bring the week reminder back a day
            # before the day reminder; the last one is always sent: it may carry the meeting link.
            earlier, send = [*earlier, send], None
        skipped = tuple(o for o in earlier if (event.id, o) not in done)
        if send is not None or skipped:
            reminders.append(DueReminder(event.id, event.starts_at, event.is_online, last, send, skipped))
    return reminders


def _claim(event_id: int, offset: int, starts_at: datetime, now: datetime) -> int | None:
    """Insert the run of this reminder; its id, or None when another process or an earlier tick has it."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(ReminderRun)
        .values(event_id=event_id, offset_minutes=offset, starts_at=starts_at, queued=0, created_at=now)
        .on_conflict_do_nothing(index_elements=["event_id", "offset_minutes", "starts_at"])
        .returning(ReminderRun.id)
    )
    return db.session.scalar(statement)


def _recipients(reminder: DueReminder, due_at: datetime) -> sa.ColumnElement[bool]:
    """Confirmed registrants who already held their seat when the reminder fell due.

    The event is checked again in the same statement: cancelled or moved since it
    was read, it gets nothing now (a move is picked up by the next tick).
    """
    # The SQL twin of seat_held_since: promotion comes after approval, which comes after registering.
    held_since = sa.func.coalesce(Registration.promoted_at, Registration.approved_at, Registration.created_at)
    still_on = sa.exists().where(
        Event.id == reminder.event_id,
        Event.status == EventStatus.published,
        Event.starts_at == reminder.starts_at,
    )
    return sa.and_(
        Registration.event_id == reminder.event_id,
        Registration.status == RegistrationStatus.confirmed,
        held_since <= due_at,
        still_on,
    )


def _queue(reminder: DueReminder, now: datetime) -> int:
    """Record the event's due reminders and queue the one to send; returns how many emails."""
    for offset in reminder.skipped:
        _claim(reminder.event_id, offset, reminder.starts_at, now)
    offset = reminder.offset
    if offset is None:
        return 0
    run_id = _claim(reminder.event_id, offset, reminder.starts_at, now)
    if run_id is None:
        return 0
    context = {
        "offset_minutes": offset,
        # A number, put in words in the recipient's language when the email is rendered.
        "starts_in_minutes": minutes_left(offset, reminder.starts_at - now),
        "with_meeting_link": carries_meeting_link(reminder.is_online, offset, reminder.last_offset),
    }
    due_at = reminder.starts_at - timedelta(minutes=offset)
    queued = enqueue_for_registrations(
        REMINDER, _recipients(reminder, due_at), scope=reminder_scope(offset, reminder.starts_at),
        context=context,
    )
    db.session.execute(sa.update(ReminderRun).where(ReminderRun.id == run_id).values(queued=queued))
    log.info("event %s: %s-minute reminder queued for %s registrants", reminder.event_id, offset, queued)
    return queued


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due, each once; returns how many emails were queued."""
    now = now or utcnow()
    reminders = _due_reminders(now)
    # End the read: each event's transaction then starts with its write, so on SQLite it waits
    # for another writer instead of failing on a snapshot that writer made stale.
    db.session.commit()
    total = 0
    for reminder in reminders:
        try:
            total += _queue(reminder, now)
            # One commit per event: its emails leave as soon as their rows exist.
            db.session.commit()
        except Exception:  # one broken event must not hold back every other event's reminders
            db.session.rollback()
            log.exception("could not queue the reminders of event %s; the next tick tries again",
                          reminder.event_id)
    return total
