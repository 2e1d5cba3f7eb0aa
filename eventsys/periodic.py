"""Beat's periodic work in one place: what `flask tick` runs once and the embedded scheduler runs every 30 s.

With Redis, beat runs each piece as a task of its own on its own schedule
(`config.BEAT_SCHEDULE`). Without a broker there is no beat, so `run_periodic_work`
runs the same service functions one after another. Each piece is safe to run
again at any time and beside another scheduler: reminders claim their run row,
the sweep claims outbox rows, expiry and pruning are one statement each, anonymising claims the event's row.
"""

import logging

from eventsys.api import idempotency
from eventsys.database import db
from eventsys.invitations import periodic as invitations
from eventsys.mail import outbox
from eventsys.registration import verification
from eventsys.reminders.services import queue_due_reminders
from eventsys.retention.services import anonymise_due_events
from eventsys.speakers.invitations import expire_invitations
from eventsys.visas.services import erase_due_passport_data
from eventsys.webhooks import dispatch as webhooks

log = logging.getLogger(__name__)

#: beat's task name → the service function it runs. Reminders come first, so that the
#: sweep, last, finds any of their emails whose immediate delivery did not go through.
PERIODIC_WORK = {
    "eventsys.reminders.queue_due_reminders": queue_due_reminders,
    "eventsys.speakers.expire_invitations": expire_invitations,
    # Expiry before reminders: an invitation that has just run out is not reminded.
    "eventsys.invitations.expire_due": invitations.expire_due,
    "eventsys.invitations.remind_due": invitations.remind_due,
    "eventsys.registration.prune_attempts": verification.prune,
    "eventsys.api.prune_idempotency_keys": idempotency.prune,
    "eventsys.visas.erase_due_passport_data": erase_due_passport_data,
    # Before the sweep: the emails it cancels are then not handed to delivery.
    "eventsys.retention.anonymise_due_events": anonymise_due_events,
    "eventsys.mail.sweep_outbox": outbox.sweep,
    "eventsys.webhooks.sweep": webhooks.sweep,
}


def run_periodic_work(*, keep_going: bool = False) -> dict[str, int]:
    """Run each piece of beat's work once, in an app context; returns how many things each one did.

    keep_going logs a failing piece and goes on with the next (the embedded scheduler:
    a broken reminder must not stop retries); without it the failure is raised (`flask tick`).
    """
    done = {}
    for task_name, work in PERIODIC_WORK.items():
        try:
            done[task_name] = work()
        except Exception:
            if not keep_going:
                raise
            db.session.rollback()
            log.exception("%s failed; the next round tries again", task_name)
    return done
