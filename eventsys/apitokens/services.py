"""Personal API tokens: made and shown once, checked on every organiser API request, revoked.

A token reads `esk_<public id>_<secret>`: the prefix lets secret scanners (and people)
recognise one pasted where it should not be; the public id, 8 characters, finds its
row; the secret, 32 random bytes, proves the holder. Only the secret's SHA-256 is
stored, so whoever reads the database (a backup, a leak) cannot use the tokens in it.

Why SHA-256 and not a slow password hash (scrypt, as passwords get): a slow hash makes
guessing a low-entropy secret costly for whoever stole the hashes. A token's secret is
256 random bits: no guessing finds it however fast the hash, and a slow hash would
only cost every API request tens of milliseconds of CPU. The comparison is
constant-time (hmac.compare_digest), so how long a wrong secret takes to refuse says
nothing about the right one.

A token acts as its user: it stops working when it is revoked, when it expires and
while its user is deactivated. Its last use (time and client address) is written at
most once a minute, with a conditional UPDATE, so a busy script does not turn every
read into a write, and two requests at once write it once.
"""

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from eventsys.accounts.models import User
from eventsys.apitokens.models import NAME_MAX, PREFIX, PUBLIC_ID_LENGTH, ApiToken, TokenScope
from eventsys.database import db, utcnow
from eventsys.textrules import text_problem

#: what a token looks like; anything else is refused before the database is asked
TOKEN_SHAPE = re.compile(rf"{PREFIX}_([a-z0-9]{{{PUBLIC_ID_LENGTH}}})_([A-Za-z0-9_-]{{43}})")
_PUBLIC_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
#: a token's life can be chosen from a day to a year, or left open
EXPIRY_DAYS_MIN, EXPIRY_DAYS_MAX = 1, 365
#: tokens one organiser may hold at once (not revoked, not expired): enough for every script, not a pile
MAX_TOKENS = 20
#: the last use is written again only once it is older than this
USE_RECORD_INTERVAL = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be made or changed as asked; `field` names the form field concerned."""

    def __init__(self, message: str, field: str = "name"):
        super().__init__(message)
        self.field = field


class TokenRefused(Exception):
    """A presented token does not let its bearer in; the message says why, for the client's developer."""


def secret_hash(secret: str) -> str:
    """The stored form of a secret: hex SHA-256 (see the module docstring for why a fast hash)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_public_id() -> str:
    return "".join(secrets.choice(_PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


def _checked_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise TokenError(_("Name the token after what will use it, such as “check-in script”."))
    problem = text_problem(name)
    if problem:
        raise TokenError(problem)
    if len(name) > NAME_MAX:
        raise TokenError(_("Keep the name under %(limit)s characters.", limit=NAME_MAX))
    return name


def active_count(user: User, now: datetime) -> int:
    """How many of the user's tokens work (not revoked, not expired)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now))
    )


def create_token(user: User, name: str, scope: TokenScope, expires_in_days: int | None = None,
                 now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token of the user, and its full text: to be shown once, as it is never stored.

    Raises TokenError naming the field when the name, the scope or the expiry cannot be taken.
    """
    now = now or utcnow()
    name = _checked_name(name)
    if not isinstance(scope, TokenScope):
        raise TokenError(_("Choose what the token may do."), "scope")
    if expires_in_days is not None and not EXPIRY_DAYS_MIN <= expires_in_days <= EXPIRY_DAYS_MAX:
        raise TokenError(_("Give a number of days from %(min)s to %(max)s, or leave it blank.",
                           min=EXPIRY_DAYS_MIN, max=EXPIRY_DAYS_MAX), "expires_in_days")
    if active_count(user, now) >= MAX_TOKENS:
        raise TokenError(_("You have %(count)s tokens already: revoke one you no longer use first.",
                           count=MAX_TOKENS))
    secret = secrets.token_urlsafe(32)
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days is not None else None
    for _attempt in range(5):
        token = ApiToken(user_id=user.id, name=name, public_id=_new_public_id(),
                         secret_hash=secret_hash(secret), scope=scope, created_at=now, expires_at=expires_at)
        db.session.add(token)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:  # the public id came up twice (one in 36**8 per token held)
            db.session.rollback()
            continue
        return token, f"{PREFIX}_{token.public_id}_{secret}"
    raise RuntimeError("no free public id for a token after five draws")


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens that were not revoked, newest first (expired ones too: they say so)."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def revoke_token(user: User, token_id: int, now: datetime | None = None) -> ApiToken:
    """Stop one of the user's tokens working, for good; TokenError when the user has no such token."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise TokenError(_("You have no such token (any more)."), "")
    token.revoked_at = now or utcnow()
    db.session.commit()
    return token


def authenticate(presented: str, now: datetime | None = None) -> ApiToken:
    """The token the bearer presented, with its user loaded; TokenRefused saying why it does not work."""
    now = now or utcnow()
    match = TOKEN_SHAPE.fullmatch(presented or "")
    if match is None:
        raise TokenRefused(_("This is not an eventsys API token: they look like esk_<id>_<secret>."))
    public_id, secret = match.groups()
    token = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.public_id == public_id).options(joinedload(ApiToken.user))
    ).first()
    if token is None or not hmac.compare_digest(token.secret_hash, secret_hash(secret)):
        raise TokenRefused(_("This token is not valid."))
    # The holder proved the secret: from here on they may learn why their own token stopped.
    if token.revoked_at is not None:
        raise TokenRefused(_("This token was revoked."))
    if token.is_expired(now):
        raise TokenRefused(_("This token has expired."))
    if not token.user.active:
        raise TokenRefused(_("The account of this token is deactivated."))
    return token


def note_use(token: ApiToken, address: str | None, now: datetime | None = None) -> None:
    """Record when and from where the token was used, unless that was written less than a minute ago."""
    now = now or utcnow()
    recent = now - USE_RECORD_INTERVAL
    if token.last_used_at is not None and token.last_used_at > recent:
        return
    # Conditional, so that of many requests at the turn of the minute one writes; the others change nothing.
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.id == token.id,
               sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= recent))
        .values(last_used_at=now, last_used_ip=(address or "")[:45] or None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
