"""What an event is: its kind, time and place, capacity, and the programme inside it."""

import enum
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import db, utcnow


class EventKind(enum.StrEnum):
    conference = "conference"
    symposium = "symposium"
    forum = "forum"
    competition = "competition"
    lecture = "lecture"

    @property
    def label(self):
        """How pages name it, translated when shown (a lazy string: fit for form choices made at import)."""
        return _KIND_LABELS[self]


class EventMode(enum.StrEnum):
    in_person = "in_person"
    online = "online"
    hybrid = "hybrid"

    @property
    def label(self):
        """How pages name it, translated when shown (a lazy string: fit for form choices made at import)."""
        return _MODE_LABELS[self]


class EventStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"

    @property
    def label(self):
        """How pages name it, translated when shown (a lazy string: fit for form choices made at import)."""
        return _STATUS_LABELS[self]


_KIND_LABELS = {
    EventKind.conference: _l("Conference"), EventKind.symposium: _l("Symposium"),
    EventKind.forum: _l("Forum"), EventKind.competition: _l("Competition"), EventKind.lecture: _l("Lecture"),
}
_MODE_LABELS = {
    # Translators: how an event is held: in a room.
    EventMode.in_person: _l("In person"),
    # Translators: how an event is held: on the internet.
    EventMode.online: _l("Online"),
    # Translators: how an event is held: in a room and on the internet at once.
    EventMode.hybrid: _l("Hybrid"),
}
_STATUS_LABELS = {
    # Translators: an event's status on the organisers' pages: not yet public.
    EventStatus.draft: _lp("event", "Draft"),
    EventStatus.published: _lp("event", "Published"),
    EventStatus.cancelled: _lp("event", "Cancelled"),
}


class Event(db.Model):
    __table_args__ = (
        sa.CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        # The last line of defence against overbooking: the database itself refuses it.
        sa.CheckConstraint("capacity IS NULL OR confirmed_count <= capacity", name="not_overbooked"),
        # Seats set aside for invitations are seats too: together they never pass the capacity.
        sa.CheckConstraint("capacity IS NULL OR confirmed_count + held_count <= capacity",
                           name="not_overcommitted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the public address: /events/<slug>
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[EventKind]
    mode: Mapped[EventMode]
    title: Mapped[str] = mapped_column(sa.String(300))
    #: one or two sentences for lists and link previews
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    #: IANA zone the event happens in; times are shown in it
    timezone: Mapped[str] = mapped_column(sa.String(64))
    venue: Mapped[str] = mapped_column(sa.String(300), default="")
    #: private: only confirmed attendees ever receive it, never a public page or API
    meeting_url: Mapped[str | None] = mapped_column(sa.String(500))
    #: confirmed seats; None means unlimited
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None]
    #: None means registration stays open until the event ends
    registration_closes_at: Mapped[datetime | None]
    status: Mapped[EventStatus] = mapped_column(default=EventStatus.draft, index=True)
    #: BCP 47 tag of the language the event is held in
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    #: minutes before the start at which confirmed registrants are reminded; None: the defaults
    #: (7 days and 1 day, plus 1 hour with the meeting link for online and hybrid events)
    reminder_offsets: Mapped[list[int] | None] = mapped_column(sa.JSON)
    #: registrations wait as `pending` until an organiser approves them
    requires_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: a public registrant gets a place only once they click the link emailed to them
    #: (registration/verification.py); organisers' own additions never wait for it
    verify_emails: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: registrants and accepted speakers from abroad may ask for a visa invitation letter (eventsys/visas/)
    offers_visa_letters: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: kept in step with the registrations by the registration services, under the event's row lock
    confirmed_count: Mapped[int] = mapped_column(default=0)
    waitlisted_count: Mapped[int] = mapped_column(default=0)
    #: seats set aside for pending invitations (eventsys/invitations/): nobody else can take them
    held_count: Mapped[int] = mapped_column(default=0, server_default="0")
    #: last waiting-list number handed out; numbers order the waiting list
    waitlist_seq: Mapped[int] = mapped_column(default=0)
    #: bumped on each move and on cancelling: the SEQUENCE of its calendar entries, so that the calendars
    #: attendees imported the event into replace their copy (same UID, higher SEQUENCE)
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    #: days after the end at which its registrations are anonymised (retention/); None: kept until
    #: an organiser anonymises them by hand
    anonymise_after_days: Mapped[int | None]
    #: when its registrations were anonymised; set once, so anonymising runs once
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    programme: Mapped[list["ProgrammeItem"]] = relationship(
        back_populates="event", order_by="ProgrammeItem.starts_at", cascade="all, delete-orphan"
    )
    #: the event's own registration questions, in form order
    questions: Mapped[list["Question"]] = relationship(  # noqa: F821 (registration domain)
        back_populates="event", order_by="Question.position, Question.id", cascade="all, delete-orphan"
    )

    @property
    def zone(self) -> ZoneInfo:
        """The event's timezone as an object."""
        return ZoneInfo(self.timezone)

    @property
    def seats_left(self) -> int | None:
        """Seats anyone may still take (neither confirmed nor held for an invitee), or None when unlimited."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count - self.held_count, 0)

    @property
    def has_venue(self) -> bool:
        """Whether people come in person, so there is a door to show a check-in code at."""
        return self.mode in (EventMode.in_person, EventMode.hybrid)

    @property
    def is_online(self) -> bool:
        """Whether people can attend from afar."""
        return self.mode in (EventMode.online, EventMode.hybrid)


class ProgrammeItem(db.Model):
    """A session or talk inside an event."""

    __table_args__ = (sa.CheckConstraint("ends_at >= starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: room or hall, when the event has several
    location: Mapped[str] = mapped_column(sa.String(200), default="")

    event: Mapped[Event] = relationship(back_populates="programme")
    engagements: Mapped[list["Engagement"]] = relationship(  # noqa: F821 (speakers domain)
        back_populates="programme_item", viewonly=True
    )
