"""A visa invitation letter, from its request to its erasure, and the office's letter template.

What identifies the holder to an embassy (name as in the passport, passport number,
nationality, date of birth) is kept only encrypted (`passports.py`), and so is the issued
PDF, which prints it. Both are erased some days after the event; the reference, the
status and the masked name stay, so the verification page keeps answering.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import db, utcnow
from eventsys.events.models import Event


class LetterStatus(enum.StrEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"
    revoked = "revoked"


class VisaLetter(db.Model):
    __table_args__ = (
        sa.CheckConstraint("departure_on >= arrival_on", name="departure_after_arrival"),
        # a letter is asked for by a registrant or by a speaker, never both
        sa.CheckConstraint("(registration_id IS NULL) <> (engagement_id IS NULL)", name="one_requester"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    engagement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("engagement.id", ondelete="CASCADE"),
                                                      index=True)
    status: Mapped[LetterStatus] = mapped_column(default=LetterStatus.requested, index=True)
    #: printed on the letter and typed into the verification page; given when the letter is approved
    reference: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    #: where the letter and the decision are emailed, and in which language
    email: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    #: the name the requester registered (or is recorded) under: what organisers know them by
    requester_name: Mapped[str] = mapped_column(sa.String(200))
    #: Fernet token of the passport details (passports.PassportDetails); None once erased
    passport_data: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    arrival_on: Mapped[date]
    departure_on: Mapped[date]
    purpose: Mapped[str] = mapped_column(sa.String(300))
    #: the embassy or consulate where the visa will be applied for
    consulate: Mapped[str] = mapped_column(sa.String(200))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: why it was rejected or revoked, as the requester and the verification page read it
    reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: the holder's name with most letters hidden, for the public verification page
    holder_masked: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    #: the issued PDF, encrypted like the passport details it prints; None until issued and once erased
    letter_pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    #: when the passport details and the PDF were erased (retention); the rest of the row stays
    erased_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()


class LetterTemplate(db.Model):
    """The office's letterhead and wording; one row, edited by organisers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_name: Mapped[str] = mapped_column(sa.String(300))
    school_name_zh: Mapped[str] = mapped_column(sa.String(300), default="")
    address: Mapped[str] = mapped_column(sa.Text, default="")
    address_zh: Mapped[str] = mapped_column(sa.Text, default="")
    signatory_name: Mapped[str] = mapped_column(sa.String(200), default="")
    signatory_title: Mapped[str] = mapped_column(sa.String(200), default="")
    signatory_title_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    #: English body with {placeholders} (letters.PLACEHOLDERS)
    body: Mapped[str] = mapped_column(sa.Text)
    #: the same text in Chinese, printed after the English when given
    body_zh: Mapped[str] = mapped_column(sa.Text, default="")
    #: the seal or signature, PNG or JPEG, checked when uploaded
    seal_image: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    seal_mimetype: Mapped[str | None] = mapped_column(sa.String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
