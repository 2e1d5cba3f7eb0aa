"""Moving a published event: every registrant is told, and the calendars they imported follow.

Called by `management.update_event` inside its transaction, under the event's row
lock, before the commit: the news exists exactly when the move does. A move bumps
the event's `calendar_sequence`, so the .ics in the email (same UID, higher
SEQUENCE) replaces the entry people imported; the sequence is also in each email's
idempotency key, so every move is news of its own while one move is told once.

Reminders need nothing here: they are keyed by start, so those due before the new
start are worked out again by the next beat. Reminders still queued for the old
start are withdrawn, or they would count down to a time that no longer holds.
"""

from datetime import datetime

from eventsys.events.emails import EVENT_MOVED
from eventsys.events.models import Event, EventStatus
from eventsys.mail import outbox
from eventsys.registration.emails import active_registrations_of, enqueue_for_registrations
from eventsys.reminders.emails import REMINDER


def _minute(moment: datetime) -> datetime:
    """Times as the edit form shows them: saving an event made elsewhere with seconds is no move."""
    return moment.replace(second=0, microsecond=0)


def announce_move(event: Event, starts_at: datetime, ends_at: datetime) -> int:
    """Tell the event's active registrants it moves to starts_at–ends_at; how many were told.

    Call it before setting the new times on the event. Drafts (nobody registered)
    and edits that keep both times, to the minute, tell nobody.
    """
    if event.status is not EventStatus.published:
        return 0
    if (_minute(starts_at), _minute(ends_at)) == (_minute(event.starts_at), _minute(event.ends_at)):
        return 0
    if _minute(starts_at) != _minute(event.starts_at):
        outbox.withdraw_queued(event.id, [REMINDER])
    event.calendar_sequence += 1
    return enqueue_for_registrations(
        EVENT_MOVED,
        active_registrations_of(event.id),
        scope=f"sequence-{event.calendar_sequence}",
        context={"old_starts_at": event.starts_at.isoformat(), "old_ends_at": event.ends_at.isoformat()},
    )
