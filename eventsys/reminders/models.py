"""The record that an event's reminder at one offset has been queued for one start time."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.database import db, utcnow


class ReminderRun(db.Model):
    """One reminder of one event (offset before a given start) turned into outbox rows, once.

    The unique key is what makes two beat processes harmless: only one of them can
    insert the run, and only the one that did queues the emails. Moving the event
    gives it a new start, so its reminders are worked out again for it, sent before or not.
    """

    __table_args__ = (sa.UniqueConstraint("event_id", "offset_minutes", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    offset_minutes: Mapped[int]
    #: the event's start this reminder was for
    starts_at: Mapped[datetime]
    #: how many emails it queued (0 when skipped)
    queued: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
