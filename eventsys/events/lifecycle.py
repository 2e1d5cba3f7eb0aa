"""Changing an event's state: cancelling it tells every registrant, through the outbox."""

from eventsys.database import db
from eventsys.events.models import Event, EventStatus
from eventsys.mail import outbox


def cancel_event(event_id: int, reason: str = "") -> int:
    """Cancel the event and queue a notice to everyone registered or waiting; returns how many."""
    event = db.session.get(Event, event_id)
    event.status = EventStatus.cancelled
    outbox.withdraw_queued(event_id, ["reminder"])
    notified = outbox.enqueue_for_registrations(
        "event_cancelled", outbox.active_registrations_of(event_id), context={"reason": reason}
    )
    db.session.commit()
    return notified
