"""Invitations to register over time: expiry at the deadline and the one reminder before it (beat).

Both are safe to run again and beside another scheduler: expiry works event by event
under the event's lock (services.release hands the seats on), and the reminder claims
each invitation with a conditional UPDATE before its email is queued.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from eventsys.database import committed, db, utcnow
from eventsys.invitations import emails, services
from eventsys.invitations.models import Invitation, InvitationStatus
from eventsys.registration.services import lock_event


def expire_due(now: datetime | None = None) -> int:
    """Expire pending invitations past their deadline, event by event; held seats go to the waiting list."""
    now = now or utcnow()
    event_ids = list(db.session.scalars(
        sa.select(Invitation.event_id).distinct()
        .where(Invitation.status == InvitationStatus.pending, Invitation.expires_at <= now)))
    db.session.commit()
    expired = 0
    for event_id in event_ids:
        with committed():
            event = lock_event(event_id)
            due = list(db.session.scalars(
                sa.select(Invitation)
                .where(Invitation.event_id == event_id, Invitation.status == InvitationStatus.pending,
                       Invitation.expires_at <= now)
                .execution_options(populate_existing=True)))
            services.release(event, due, InvitationStatus.expired, now)
        expired += len(due)
    return expired


def reminder_lead() -> int:
    """Days before the deadline at which a pending invitee is reminded (INVITATION_REMINDER_DAYS)."""
    return int(current_app.config.get("INVITATION_REMINDER_DAYS", 3))


def remind_due(now: datetime | None = None) -> int:
    """Remind, once, each pending invitee whose deadline is near; returns how many were reminded.

    An invitation sent already inside the reminder's window is not reminded: its
    invitation email is as fresh. Claiming reminded_at with a conditional UPDATE makes
    two schedulers running at once remind nobody twice.
    """
    now = now or utcnow()
    lead = timedelta(days=reminder_lead())
    near = db.session.execute(
        sa.select(Invitation.id, Invitation.created_at, Invitation.expires_at)
        .where(Invitation.status == InvitationStatus.pending, Invitation.reminded_at.is_(None),
               Invitation.expires_at > now, Invitation.expires_at <= now + lead)).all()
    # Compared here rather than in SQL: date arithmetic on columns differs between the two databases.
    due = [row.id for row in near if row.created_at < row.expires_at - lead]
    if not due:
        db.session.commit()
        return 0
    with committed():
        claimed = list(db.session.scalars(
            sa.update(Invitation)
            .where(Invitation.id.in_(due), Invitation.status == InvitationStatus.pending,
                   Invitation.reminded_at.is_(None))
            .values(reminded_at=now)
            .returning(Invitation.id)
            .execution_options(synchronize_session=False)))
        for invitation in db.session.scalars(sa.select(Invitation).where(Invitation.id.in_(claimed))):
            emails.queue_reminder(invitation)
    return len(claimed)
