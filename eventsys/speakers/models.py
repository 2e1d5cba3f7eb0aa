"""Speaker records, partner institutions, and who speaks where in which role."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import db, utcnow
from eventsys.events.models import Event, ProgrammeItem

#: Honours the office lists most often; offered as suggestions, others may be typed in.
KNOWN_HONOURS = (
    "Nobel Laureate",
    "IEEE Fellow",
    "Member of the Academia Europaea",
    "WORLD FELLOW of ICCM",
    "Highly Cited Researcher",
    "Foreign Thousand Talents Program Participant",
    "Member of the Russian Academy of Sciences",
    "Member of the National Academy of Engineering",
)


class Institution(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    #: ISO 3166-1 alpha-2
    country: Mapped[str] = mapped_column(sa.String(2))
    city: Mapped[str] = mapped_column(sa.String(120), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    #: a university or academy with a cooperation agreement with the school
    partner: Mapped[bool] = mapped_column(default=False, index=True)
    partner_since: Mapped[date | None]

    speakers: Mapped[list["Speaker"]] = relationship(back_populates="institution")


class SpeakerHonour(db.Model):
    speaker_id: Mapped[int] = mapped_column(
        sa.ForeignKey("speaker.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True, index=True)


class SpeakerExpertise(db.Model):
    speaker_id: Mapped[int] = mapped_column(
        sa.ForeignKey("speaker.id", ondelete="CASCADE"), primary_key=True
    )
    #: a field of expertise, e.g. "shape-memory polymers"
    field: Mapped[str] = mapped_column(sa.String(200), primary_key=True, index=True)


class Speaker(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    #: academic title as the speaker uses it: "Prof.", "Academician", "Dr."
    title: Mapped[str] = mapped_column(sa.String(100), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    institution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="SET NULL"), index=True
    )
    #: ISO 3166-1 alpha-2 of the country the speaker works in
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    #: where the speaker lives (IANA), so their emails show each time on their clock too; None: not known
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    biography: Mapped[str] = mapped_column(sa.Text, default="")
    #: the language of every email to the speaker (one of SUPPORTED_LOCALES), whoever sends it
    locale: Mapped[str] = mapped_column(sa.String(16), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    institution: Mapped[Institution | None] = relationship(back_populates="speakers")
    honour_rows: Mapped[list[SpeakerHonour]] = relationship(
        cascade="all, delete-orphan", order_by=SpeakerHonour.name
    )
    expertise_rows: Mapped[list[SpeakerExpertise]] = relationship(
        cascade="all, delete-orphan", order_by=SpeakerExpertise.field
    )
    #: honours as plain strings; appending a string adds a row
    honours: AssociationProxy[list[str]] = association_proxy(
        "honour_rows", "name", creator=lambda name: SpeakerHonour(name=name)
    )
    expertise: AssociationProxy[list[str]] = association_proxy(
        "expertise_rows", "field", creator=lambda field: SpeakerExpertise(field=field)
    )

    @property
    def display_name(self) -> str:
        """Title and name, as on a programme."""
        return f"{self.title} {self.name}".strip()


class SpeakerRole(enum.StrEnum):
    keynote = "keynote"
    invited_talk = "invited_talk"
    panel = "panel"
    online_lecture = "online_lecture"

    @property
    def label(self):
        """How pages name it, translated when shown (a lazy string: fit for form choices made at import)."""
        return _ROLE_LABELS[self]


class InvitationStatus(enum.StrEnum):
    invited = "invited"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"

    @property
    def label(self):
        """How pages name it, translated when shown (a lazy string: fit for form choices made at import)."""
        return _INVITATION_STATUS_LABELS[self]


_ROLE_LABELS = {
    # Translators: a speaker's role at an event, beside their name.
    SpeakerRole.keynote: _l("Keynote"),
    SpeakerRole.invited_talk: _l("Invited talk"),
    # Translators: a speaker's role at an event: one of the people on a panel discussion.
    SpeakerRole.panel: _l("Panel"),
    SpeakerRole.online_lecture: _l("Online lecture"),
}
_INVITATION_STATUS_LABELS = {
    # Translators: the state of an invitation to speak, on the organisers' pages.
    InvitationStatus.invited: _lp("invitation", "Invited"),
    InvitationStatus.accepted: _lp("invitation", "Accepted"),
    InvitationStatus.declined: _lp("invitation", "Declined"),
    InvitationStatus.expired: _lp("invitation", "Expired"),
}


class Engagement(db.Model):
    """A speaker taking part in an event, and optionally in one programme item of it."""

    __table_args__ = (
        sa.UniqueConstraint("speaker_id", "event_id", "programme_item_id"),
        # NULLs are distinct in a unique constraint: this one covers engagements with the whole event.
        sa.Index(
            "uq_engagement_speaker_id_event_id_whole_event", "speaker_id", "event_id", unique=True,
            postgresql_where=sa.text("programme_item_id IS NULL"),
            sqlite_where=sa.text("programme_item_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(sa.ForeignKey("speaker.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    programme_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme_item.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[SpeakerRole]
    #: None when the organisers added the speaker directly, without an invitation
    invitation_status: Mapped[InvitationStatus | None]
    invited_at: Mapped[datetime | None]
    #: the invitation links stop working after this
    invitation_expires_at: Mapped[datetime | None]
    #: the organiser's personal words in the invitation
    invitation_message: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: who is told when the speaker answers
    invited_by_email: Mapped[str | None] = mapped_column(sa.String(254))
    answered_at: Mapped[datetime | None]
    #: the speaker's optional note with the answer
    answer_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    speaker: Mapped[Speaker] = relationship()
    event: Mapped[Event] = relationship()
    programme_item: Mapped[ProgrammeItem | None] = relationship(back_populates="engagements")


class SpeakerPhoto(db.Model):
    """A speaker's portrait, as the photos module re-encoded it: a JPEG at most 800 px on its long side.

    In the database, beside the record, so that backups and the many web processes all see the
    same one without a shared disk; a few tens of kilobytes each.
    """

    speaker_id: Mapped[int] = mapped_column(sa.ForeignKey("speaker.id", ondelete="CASCADE"), primary_key=True)
    #: the JPEG as served, EXIF and every other metadata removed
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    content_type: Mapped[str] = mapped_column(sa.String(32), default="image/jpeg")
    #: the start of the SHA-256 of data: in the photo's URL (?v=), so a new photo is a new URL and the
    #: old one may be cached for a year
    version: Mapped[str] = mapped_column(sa.String(16))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
