"""Registrations and the custom questions an event asks its registrants."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.registration import checkin_codes
from eventsys.registration.mailboxes import mailbox_key

NAME_MAX = 200
EMAIL_MAX = 254
AFFILIATION_MAX = 300


def _key_of_inserted_email(context) -> str:
    return mailbox_key(context.get_current_parameters()["email"])


class RegistrationStatus(enum.StrEnum):
    #: waiting for an organiser's approval (events in approval mode); holds no seat
    pending = "pending"
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"

    @property
    def label(self):
        """How pages name it, translated when shown (a lazy string: fit for form choices made at import)."""
        return _STATUS_LABELS[self]


class AttendeeCategory(enum.StrEnum):
    student = "student"
    faculty = "faculty"
    industry = "industry"
    other = "other"

    @property
    def label(self):
        """How pages name it, translated when shown (a lazy string: fit for form choices made at import)."""
        return _CATEGORY_LABELS[self]


class QuestionKind(enum.StrEnum):
    text = "text"
    long_text = "long_text"
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    yes_no = "yes_no"
    number = "number"
    date = "date"

    @property
    def label(self):
        """How pages name it, translated when shown (a lazy string: fit for form choices made at import)."""
        return _QUESTION_KIND_LABELS[self]


_STATUS_LABELS = {
    RegistrationStatus.confirmed: _l("Confirmed"),
    RegistrationStatus.waitlisted: _l("On the waiting list"),
    RegistrationStatus.pending: _l("Awaiting approval"),
    RegistrationStatus.cancelled: _l("Cancelled"),
}
_CATEGORY_LABELS = {
    AttendeeCategory.student: _l("Student"),
    AttendeeCategory.faculty: _l("Faculty / researcher"),
    AttendeeCategory.industry: _l("Industry"),
    AttendeeCategory.other: _l("Other"),
}
_QUESTION_KIND_LABELS = {
    QuestionKind.text: _l("Short text"), QuestionKind.long_text: _l("Long text"),
    QuestionKind.single_choice: _l("One of several choices"),
    QuestionKind.multiple_choice: _l("Several choices"),
    QuestionKind.yes_no: _l("Yes or no"), QuestionKind.number: _l("Number"), QuestionKind.date: _l("Date"),
}


class Question(db.Model):
    """A question an event adds to its registration form."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: order on the form, smallest first
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(sa.String(300))
    help_text: Mapped[str] = mapped_column(sa.String(500), default="")
    kind: Mapped[QuestionKind]
    required: Mapped[bool] = mapped_column(default=False)
    #: the allowed answers of a choice question, in display order
    options: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: a number question's smallest and largest answer, when the organiser set them (inclusive)
    number_min: Mapped[float | None] = mapped_column(sa.Float)
    number_max: Mapped[float | None] = mapped_column(sa.Float)
    #: a number question takes only whole numbers (people, nights, papers); decimals otherwise
    whole_numbers: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    event: Mapped[Event] = relationship(back_populates="questions")

    @property
    def field_name(self) -> str:
        """The key of this question's answer in forms and in the API."""
        return str(self.id)


class Registration(db.Model):
    __table_args__ = (
        # One active registration per person and event; a cancelled one does not block a new one.
        sa.Index(
            "uq_registration_event_id_email_key_active",
            "event_id",
            "email_key",
            unique=True,
            postgresql_where=sa.text("status <> 'cancelled'"),
            sqlite_where=sa.text("status <> 'cancelled'"),
        ),
        sa.Index("ix_registration_event_id_status", "event_id", "status", "waitlist_number"),
        # The organisers' list pages by registration order or by name, keyset-paginated.
        sa.Index("ix_registration_event_id_id", "event_id", "id"),
        sa.Index("ix_registration_event_id_name", "event_id", "name", "id"),
        # The per-mailbox limit (limits.py) counts a mailbox's recent registrations across all events.
        sa.Index("ix_registration_email_key_created_at", "email_key", "created_at"),
        # The check-in desk counts arrivals every few seconds; rows enter it only when checked in,
        # so registering pays nothing for it.
        sa.Index("ix_registration_event_id_checked_in", "event_id",
                 postgresql_where=sa.text("checked_in_at IS NOT NULL"),
                 sqlite_where=sa.text("checked_in_at IS NOT NULL")),
        # The desk finds a registration by its code within the event; the code is unique there.
        # Code first: led by event_id, the planner would pick it to count arrivals, over the partial index.
        sa.Index("uq_registration_checkin_code_event_id", "checkin_code", "event_id", unique=True),
        # On PostgreSQL only, a trigram index serves the organisers' substring search:
        # ix_registration_search_trgm, made by its migration (SQLite has no such index type).
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    #: the name in Latin letters, as in the passport, when the name is written in another script;
    #: badges and certificates print it beneath the name ("" when not given)
    name_latin: Mapped[str] = mapped_column(sa.String(NAME_MAX), default="", server_default="")
    #: lower-cased, so the same person is recognised when they register twice
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX))
    #: the digest of the canonical mailbox (registration/mailboxes.py): what "the same person" compares;
    #: derived from email by any INSERT that does not give it
    email_key: Mapped[str] = mapped_column(sa.String(64), default=_key_of_inserted_email)
    affiliation: Mapped[str] = mapped_column(sa.String(AFFILIATION_MAX), default="")
    #: ISO 3166-1 alpha-2
    country: Mapped[str] = mapped_column(sa.String(2))
    category: Mapped[AttendeeCategory]
    #: answers to the event's questions, keyed by question id (as a string)
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: only confirmed registrations hold a seat
    status: Mapped[RegistrationStatus]
    #: the place in the queue when waitlisted; the position shown is the rank among those still waiting
    waitlist_number: Mapped[int | None]
    #: secret for the self-service link /r/<token>; never shown where others can see it
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: what the QR code and the door show (registration/checkin_codes.py); opens nothing but the door
    checkin_code: Mapped[str] = mapped_column(sa.String(checkin_codes.LENGTH), default=checkin_codes.new_code)
    #: language the registrant used, for emails
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    #: where the registrant is (an IANA zone), if they said: their emails show their own time too
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the registrant agreed to the processing of their data
    consented_at: Mapped[datetime]
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    #: when an organiser approved it (events in approval mode)
    approved_at: Mapped[datetime | None]
    #: when the person was let in at the door; set once
    checked_in_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()

    @property
    def checkin_code_shown(self) -> str:
        """The check-in code as people read it, ABCD-EFGH."""
        return checkin_codes.shown(self.checkin_code)

    #: not stored: the waiting-list place given on registering, set by services.register so that
    #: the answer to the registrant needs no second query
    position_when_registered = None  # int | None; unannotated, so the mapper leaves it alone


class RegistrationTally(db.Model):
    """How many registrations of an event have each status and country, kept in step on every change.

    The organisers' pages show counts by status and country at the top; counting
    100,000 rows on every page view would make a big event slow, so the counts are
    kept here by the same statements and transactions that change a registration.
    """

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[RegistrationStatus] = mapped_column(primary_key=True)
    #: ISO 3166-1 alpha-2
    country: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class RegistrationAttempt(db.Model):
    """A public registration waiting for its email address to be confirmed; it holds nothing.

    Events with verify_emails keep what the person submitted here and email them a
    link (registration/verification.py). The seat or waiting-list place is decided
    only when the link is clicked; an attempt nobody clicks expires and is deleted.
    """

    __table_args__ = (
        # The per-mailbox limit counts the verification emails a mailbox was sent in the last hour.
        sa.Index("ix_registration_attempt_email_key_created_at", "email_key", "created_at"),
        # The periodic clean-up deletes the expired ones.
        sa.Index("ix_registration_attempt_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    #: the canonical mailbox (registration/mailboxes.py), as on Registration
    email_key: Mapped[str] = mapped_column(sa.String(64))
    #: the checked form (applicants.clean_applicant); emptied once it became a registration
    values: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: after this the link no longer registers anyone
    expires_at: Mapped[datetime]
    #: the registration its click made; set once
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registration.id", ondelete="CASCADE"))

    event: Mapped[Event] = relationship()
