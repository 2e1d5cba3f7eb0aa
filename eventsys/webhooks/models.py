"""Webhook endpoints, the messages changes write for them, and each message's delivery to each endpoint.

A message is one change (a registration, a cancelled event…), written in the
transaction of that change; its deliveries (one per endpoint that wants it) are
made after the commit (fanout.py), and each keeps its own due time and its log of
attempts, so that every retry is a row in the database and none waits in the broker.
"""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_pgettext as _lp
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import db, utcnow


class DisabledReason(enum.StrEnum):
    #: its owner turned it off
    owner = "owner"
    #: it answered 410 Gone: the receiver says it is gone for good
    gone = "gone"
    #: no attempt succeeded for three days in a row
    failing = "failing"

    @property
    def label(self):
        """What the endpoint's page says of it (a lazy string)."""
        return _DISABLED_LABELS[self]


_DISABLED_LABELS = {
    DisabledReason.owner: _lp("webhook", "Turned off by you."),
    DisabledReason.gone: _lp("webhook", "Turned off: the receiver answered 410 Gone."),
    DisabledReason.failing: _lp("webhook", "Turned off: no delivery succeeded for three days."),
}


class DeliveryState(enum.StrEnum):
    #: waiting for its next attempt (next_attempt_at), or in one
    pending = "pending"
    delivered = "delivered"
    #: given up: three days of failures, or 410 Gone
    failed = "failed"
    #: the endpoint was turned off before it went
    cancelled = "cancelled"

    @property
    def label(self):
        """How the delivery log names it (a lazy string)."""
        return _STATE_LABELS[self]


_STATE_LABELS = {
    # Translators: the state of one webhook delivery: more attempts will come.
    DeliveryState.pending: _lp("webhook", "Retrying"),
    DeliveryState.delivered: _lp("webhook", "Delivered"),
    DeliveryState.failed: _lp("webhook", "Failed"),
    DeliveryState.cancelled: _lp("webhook", "Cancelled"),
}


class WebhookEndpoint(db.Model):
    """Where an organiser wants messages: one event's, or those of every event they manage."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who registered it: only they see it, and it receives only what they may manage
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: None: every event the owner manages (every event, for an admin)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: http(s); its host is checked against private addresses when saved and at every delivery
    url: Mapped[str] = mapped_column(sa.String(2000))
    #: the message types it receives (message_types.SUBSCRIBABLE)
    event_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: the signing secret ("whsec_…"), Fernet-encrypted (signing.py): shown once, kept to sign
    secret: Mapped[bytes] = mapped_column(sa.LargeBinary)
    #: the secret before the last rotation, also signed with until previous_secret_expires_at
    previous_secret: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    previous_secret_expires_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[DisabledReason | None]
    disabled_at: Mapped[datetime | None]
    #: since when every attempt has failed; None once one succeeds. Three days of it turn it off
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner = relationship("User")
    event = relationship("Event")


class WebhookMessage(db.Model):
    """One change, as receivers are told of it; the same body and webhook-id on every attempt."""

    __table_args__ = (
        # What the sweep looks for: messages whose deliveries were never made.
        sa.Index("ix_webhook_message_fanned_out_at", "fanned_out_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: message_types: registration.created, event.cancelled, …
    type: Mapped[str] = mapped_column(sa.String(50))
    #: the event it is about; None: about no event (then only a test message, sent to its endpoint)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: a test message's one endpoint, whatever it subscribes to; None: every endpoint that wants the type
    endpoint_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True)
    #: the payload's "data": ids, slugs and statuses, never names or addresses
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: the change's time; the public registration's statement leaves it to the database (seats.py)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=sa.text("CURRENT_TIMESTAMP"),
                                                 index=True)
    #: when its deliveries were made; None until then
    fanned_out_at: Mapped[datetime | None]


class WebhookDelivery(db.Model):
    """One message to one endpoint: its state, and when it is next tried."""

    __table_args__ = (
        sa.UniqueConstraint("message_id", "endpoint_id"),
        # What the sweep looks for: pending deliveries that are due.
        sa.Index("ix_webhook_delivery_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_message.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"),
                                             index=True)
    state: Mapped[DeliveryState] = mapped_column(default=DeliveryState.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    #: not before this time; while an attempt runs, pushed past its timeout so no one else takes it
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the HTTP status of the last answer; None when there was none (timeout, refused address…)
    last_status_code: Mapped[int | None]
    last_attempt_at: Mapped[datetime | None]
    #: three days after the first attempt: the last try is due then, and a failure then is the end
    give_up_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[WebhookMessage] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(db.Model):
    """One try to deliver, as the owner's delivery log shows it."""

    __table_args__ = (
        # The log: one endpoint's attempts, newest first.
        sa.Index("ix_webhook_attempt_endpoint_id_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_delivery.id", ondelete="CASCADE"),
                                             index=True)
    #: the delivery's endpoint, kept here so the log pages without a join
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    #: 1 for the first try of the delivery, and so on
    number: Mapped[int]
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None: no answer came (timeout, connection refused, address refused)
    status_code: Mapped[int | None]
    duration_ms: Mapped[int] = mapped_column(default=0)
    #: the first 2 KB of the answer's body, or what went wrong when there was no answer
    response_excerpt: Mapped[str] = mapped_column(sa.Text, default="")
    succeeded: Mapped[bool] = mapped_column(default=False)

    delivery: Mapped[WebhookDelivery] = relationship()
