"""What the API keeps between requests: the answers to POSTs sent with an Idempotency-Key."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.database import db, utcnow

#: the longest Idempotency-Key taken (a UUID has 36 characters)
KEY_MAX = 200


class IdempotentRequest(db.Model):
    """One Idempotency-Key of one organiser: the request it named, and the first answer to it.

    The row is inserted before the request runs (the claim: the unique constraint lets
    one request of a key in), and the answer is written once the request is done.
    api/idempotency.py says how.
    """

    __table_args__ = (
        sa.UniqueConstraint("user_id", "key"),
        # The periodic clean-up deletes the expired ones.
        sa.Index("ix_idempotent_request_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the user of the token that sent it: keys are the user's own, whichever of their tokens sends them
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    #: hex SHA-256 of method, path, query and body: the same key with another request is refused
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None while the first request runs; then its answer's status code
    status_code: Mapped[int | None]
    #: the first answer's body as sent (JSON text), replayed byte for byte
    body: Mapped[str | None] = mapped_column(sa.Text)
    #: the headers of the first answer that describe it (Location, Link, Content-Type)
    headers: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
