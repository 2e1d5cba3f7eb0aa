"""The outbox: one row per email, written in the same transaction as the change that causes it."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_pgettext as _lp
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.database import db, utcnow


class EmailState(enum.StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def label(self):
        """How pages name it, translated when shown (a lazy string: fit for form choices made at import)."""
        return _STATE_LABELS[self]


_STATE_LABELS = {
    # Translators: the state of an email in the outbox: waiting to be sent.
    EmailState.queued: _lp("email", "Queued"),
    EmailState.sending: _lp("email", "Sending"),
    EmailState.sent: _lp("email", "Sent"),
    EmailState.failed: _lp("email", "Failed"),
    EmailState.cancelled: _lp("email", "Cancelled"),
}


class OutboundEmail(db.Model):
    __table_args__ = (
        # What the worker and the sweep look for: rows due in a state.
        sa.Index("ix_outbound_email_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: names the message so it is queued once whatever retries: "registration:42:confirmed"
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: which template renders it: registration_confirmed, reminder, speaker_invitation, ...
    kind: Mapped[str] = mapped_column(sa.String(50))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    #: what the template needs beyond the linked rows (offset of a reminder, personal message, ...)
    context: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: filled when first claimed for sending, then kept: a retry sends the very same message;
    #: Text, as a template around a 300-character title makes longer subjects than any fixed limit
    subject: Mapped[str | None] = mapped_column(sa.Text)
    text_body: Mapped[str | None] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    #: an iCalendar attachment, when the message carries one
    ics: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[EmailState] = mapped_column(default=EmailState.queued)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    #: not before this time: set by the backoff after a temporary failure
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when a worker took it; a row left `sending` long after is put back by the sweep
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    #: the Message-ID header we sent, to find it in the mail server's logs
    message_id: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkerHeartbeat(db.Model):
    """The last sign of life of each mail worker, so a dead one is noticed on the organisers' pages."""

    #: the worker's node name, e.g. celery@host
    worker: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
