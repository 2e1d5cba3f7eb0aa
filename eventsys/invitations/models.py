"""Invitations to register: who was invited to an event, in which batch, and what became of it."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.registration.mailboxes import mailbox_key
from eventsys.registration.models import AFFILIATION_MAX, EMAIL_MAX, NAME_MAX, AttendeeCategory


def _key_of_inserted_email(context) -> str:
    return mailbox_key(context.get_current_parameters()["email"])


class InvitationStatus(enum.StrEnum):
    #: sent, not yet answered; holds its seat when its batch holds seats
    pending = "pending"
    registered = "registered"
    declined = "declined"
    #: its deadline passed unanswered
    expired = "expired"
    #: withdrawn by an organiser
    revoked = "revoked"

    @property
    def label(self):
        """How pages name it, translated when shown."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    InvitationStatus.pending: _l("Invited, no answer yet"),
    InvitationStatus.registered: _l("Registered"),
    InvitationStatus.declined: _l("Declined"),
    InvitationStatus.expired: _l("Expired"),
    InvitationStatus.revoked: _l("Revoked"),
}

#: the statuses in which an invitation still stands: a person has at most one such per event
STANDING = (InvitationStatus.pending, InvitationStatus.registered)


class InvitationBatch(db.Model):
    """Invitations sent together, with the options they share."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: the organiser who sent it; None once their account is gone
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: each invitation of the batch sets a seat aside until it is answered or runs out
    holds_seats: Mapped[bool] = mapped_column(default=False)
    #: invitees get a seat (or the waiting list) even on an event that approves registrations
    skips_approval: Mapped[bool] = mapped_column(default=False)
    #: invitees are registered at once, without the address check the event asks of the public
    skips_verification: Mapped[bool] = mapped_column(default=True)
    #: when its invitations expire unless extended one by one
    deadline: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()


class Invitation(db.Model):
    """One person invited to register for one event."""

    __table_args__ = (
        # One standing invitation per person and event; answered or lapsed ones do not block a new one.
        sa.Index("uq_invitation_event_id_email_key_standing", "event_id", "email_key", unique=True,
                 postgresql_where=sa.text("status IN ('pending', 'registered')"),
                 sqlite_where=sa.text("status IN ('pending', 'registered')")),
        # The periodic expiry and reminder look for pending invitations by their deadline.
        sa.Index("ix_invitation_status_expires_at", "status", "expires_at"),
        sa.Index("ix_invitation_event_id_id", "event_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("invitation_batch.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    #: lower-cased; the registration it leads to is bound to it
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX))
    #: the canonical mailbox (registration/mailboxes.py), as on Registration
    email_key: Mapped[str] = mapped_column(sa.String(64), default=_key_of_inserted_email)
    affiliation: Mapped[str] = mapped_column(sa.String(AFFILIATION_MAX), default="")
    category: Mapped[AttendeeCategory | None]
    #: ISO 3166-1 alpha-2, when the organiser knew it: prefilled on the form
    country: Mapped[str | None] = mapped_column(sa.String(2))
    #: the language of the invitation and of the registration's emails
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    status: Mapped[InvitationStatus] = mapped_column(default=InvitationStatus.pending)
    #: a seat of the event is set aside for this invitation (counted in Event.held_count) while true
    holds_seat: Mapped[bool] = mapped_column(default=False)
    #: the batch's deadline, unless an organiser extended this one
    expires_at: Mapped[datetime]
    #: what the invitee submitted while their address is being confirmed (batches that do not skip it)
    submitted: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the invitation email was last queued (sending again counts it up)
    sent_count: Mapped[int] = mapped_column(default=1)
    #: when the one reminder before the deadline was queued
    reminded_at: Mapped[datetime | None]
    #: when it was registered, declined, expired or revoked
    answered_at: Mapped[datetime | None]
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registration.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    batch: Mapped[InvitationBatch] = relationship()
