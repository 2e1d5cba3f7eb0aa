"""A personal API token: whose it is, what it may do, until when, and when it was last used."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.accounts.models import User
from eventsys.database import db, utcnow

#: what every token starts with, so that secret scanners (and people) recognise one in a leak
PREFIX = "esk"
#: characters of the public id: lower-case letters and digits, never "_", which separates the parts
PUBLIC_ID_LENGTH = 8
NAME_MAX = 100


class TokenScope(enum.StrEnum):
    #: GET requests only
    read = "read"
    #: everything the organiser may do on the web
    write = "write"

    @property
    def label(self):
        """How pages name it, translated when shown (a lazy string: fit for form choices made at import)."""
        return _SCOPE_LABELS[self]


_SCOPE_LABELS = {
    TokenScope.read: _l("Read only"),
    TokenScope.write: _l("Read and write"),
}


class ApiToken(db.Model):
    """One token of one organiser; the secret itself is never stored, only its SHA-256."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: the organiser's own words for it ("registration desk script")
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    #: the part of the token after "esk_" that is not secret: how a presented token is found
    public_id: Mapped[str] = mapped_column(sa.String(PUBLIC_ID_LENGTH), unique=True)
    #: hex SHA-256 of the secret part (apitokens/services.py says why a fast hash is right here)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    #: read (GET only) or write (everything the organiser may do)
    scope: Mapped[TokenScope]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None: never expires
    expires_at: Mapped[datetime | None]
    #: set once; a revoked token never works again
    revoked_at: Mapped[datetime | None]
    #: written at most once a minute per token (services.note_use), not on every request
    last_used_at: Mapped[datetime | None]
    #: the client address of that use, as the limits see it (behind TRUSTED_PROXIES, the client's)
    last_used_ip: Mapped[str | None] = mapped_column(sa.String(45))

    user: Mapped[User] = relationship()

    @property
    def shown_prefix(self) -> str:
        """What a page shows to recognise the token without its secret: esk_ab12cd34_…"""
        return f"{PREFIX}_{self.public_id}_…"

    def is_expired(self, now: datetime) -> bool:
        """Whether the token's time is over."""
        return self.expires_at is not None and self.expires_at <= now
