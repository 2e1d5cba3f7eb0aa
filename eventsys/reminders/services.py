"""Which reminders are due, and turning each into outbox rows exactly once, however many beats run.

A reminder is one offset before one start of one event. Its ReminderRun row is
inserted before any email, with ON CONFLICT DO NOTHING: of two beat processes
only the one whose insert went through queues the emails, the other waits for
its commit and finds the row taken. The outbox's idempotency key
(`reminder:<offset>m:registration:<id>`) leaves the start time out on purpose:
moving the event makes an unsent reminder go out at the new time, but never
sends one twice.
"""

import logging
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import load_only

from eventsys.database import db, utcnow
from eventsys.events.models import Event, EventStatus
from eventsys.mail import outbox
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.reminders.models import ReminderRun

log = logging.getLogger(__name__)

#: 7 days and 1 day before the start, when the event sets no offsets of its own
DEFAULT_OFFSETS = (7 * 24 * 60, 24 * 60)
#: online and hybrid events also remind 1 hour before; reminders this close carry the meeting link
MEETING_LINK_OFFSET = 60


class DueReminder(NamedTuple):
    """What one event needs now, read before writing so the writes need no second look at the event."""

    event_id: int
    starts_at: datetime
    is_online: bool
    #: the reminder to send: the smallest offset whose time has come
    offset: int | None
    #: larger offsets also due (beat was down, or the event moved earlier): recorded, never sent late
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
    if minutes % (24 * 60) == 0:
        count, unit = minutes // (24 * 60), "day"
    elif minutes % 60 == 0:
        count, unit = minutes // 60, "hour"
    else:
        count, unit = minutes, "minute"
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def carries_meeting_link(event_is_online: bool, offset: int) -> bool:
    """Only the last hour's reminder of an online or hybrid event gives the private meeting link."""
    return event_is_online and offset <= MEETING_LINK_OFFSET


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
        latest, *earlier = reversed(offsets)
        send = None if (event.id, latest) in done else latest
        skipped = tuple(o for o in earlier if (event.id, o) not in done)
        if send is not None or skipped:
            reminders.append(DueReminder(event.id, event.starts_at, event.is_online, send, skipped))
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
    held_since = sa.func.coalesce(Registration.promoted_at, Registration.created_at)
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
        "starts_in": starts_in(offset),
        "with_meeting_link": carries_meeting_link(reminder.is_online, offset),
    }
    due_at = reminder.starts_at - timedelta(minutes=offset)
    queued = outbox.enqueue_for_registrations(
        "reminder", _recipients(reminder, due_at), scope=f"{offset}m", context=context
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
