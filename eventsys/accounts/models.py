"""People who run events: organisers, admins, and which events each one manages."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import db, utcnow
from eventsys.events.models import Event


class User(UserMixin, db.Model):
    """An organiser; an admin manages every event and the office-wide pages."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: lower-cased, the sign-in name
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: werkzeug's salted hash (scrypt); the password itself is never stored
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: a deactivated account cannot sign in, but its history stays
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: part of every session's id; signing out or changing the password counts it up,
    #: so each session (and stolen cookie) made before then stops being recognised
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    #: the language of every email to the organiser, and of their pages when they chose none with the switch;
    #: None until they choose one: their pages then follow their browser, their emails are in English
    locale: Mapped[str | None] = mapped_column(sa.String(16))

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses sessions of inactive accounts."""
        return self.active

    def get_id(self) -> str:
        """What the session cookie names: the account and its session generation, "12.3"."""
        return f"{self.id}.{self.session_generation}"


class EventManager(db.Model):
    """An organiser responsible for one event; an event has one or more."""

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    event: Mapped[Event] = relationship()
