"""A message an organiser sent: what, to whom (the filters), by whom; each copy is an outbox row."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.database import db, utcnow


class Audience(enum.StrEnum):
    registrants = "registrants"
    speakers = "speakers"

    @property
    def label(self):
        """How pages name it, translated when shown (a lazy string: fit for form choices made at import)."""
        return _AUDIENCE_LABELS[self]


_AUDIENCE_LABELS = {
    # Translators: who a message is sent to.
    Audience.registrants: _l("Registrants"),
    Audience.speakers: _l("Speakers"),
}


class Mailing(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    audience: Mapped[Audience]
    #: the filters that chose the recipients, as the organiser set them (statuses, categories, countries)
    filters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    subject: Mapped[str] = mapped_column(sa.String(200))
    #: plain text as typed; escaped when put into the HTML version
    body: Mapped[str] = mapped_column(sa.Text)
    #: how many copies were queued
    recipient_count: Mapped[int] = mapped_column(default=0)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
