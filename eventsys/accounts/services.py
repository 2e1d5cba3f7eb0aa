"""Accounts: creating organisers, signing in, changing passwords, and who may manage what."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from eventsys.accounts.models import EventManager, User
from eventsys.database import db, utcnow
from eventsys.textrules import check_text

#: shorter passwords are refused; long passphrases are welcome
PASSWORD_MIN = 10
PASSWORD_MAX = 200
#: compared against when the email is unknown, so a wrong address takes as long as a wrong password
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(ValueError):
    """A request about an account that cannot be done; `field` names the form field concerned."""

    def __init__(self, message: str, field: str = "email"):
        super().__init__(message)
        self.field = field



def hash_password(password: str) -> str:
    """werkzeug's salted scrypt hash, with the work factor of PASSWORD_HASH_METHOD (tests lower it)."""
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt")

def check_password(password: str) -> None:
    """Raise AccountError when the password is too weak to protect registrants' personal data."""
    if len(password) < PASSWORD_MIN:
        raise AccountError(_("Use at least %(min)s characters.", min=PASSWORD_MIN), "password")
    if len(password) > PASSWORD_MAX:
        raise AccountError(_("Use at most %(max)s characters.", max=PASSWORD_MAX), "password")


def user_by_email(email: str) -> User | None:
    """The account signing in with this address (any case)."""
    return db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).first()


def create_user(email: str, password: str, *, name: str = "", admin: bool = False) -> User:
    """Add an organiser (or admin); AccountError when the address is taken or the password weak."""
    email, name = email.strip().lower(), name.strip()
    if "@" not in email or len(email) > 254:
        raise AccountError("Enter the organiser's email address.")
    for field, value, limit in (("email", email, 254), ("name", name, 200)):
        try:
            check_text(value, limit=limit)  # the rule every stored text follows, from the CLI too
        except ValueError as problem:
            raise AccountError(str(problem), field) from None
    if user_by_email(email) is not None:
        raise AccountError(f"An account for {email} exists already.")
    check_password(password)
    user = User(email=email, name=name, is_admin=admin,
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


def language_of_organiser(email: str) -> str:
    """The language of emails to this address: its account's, English when no account has it."""
    user = user_by_email(email or "")
    return (user.locale if user is not None else None) or "en"


def set_language(user: User, locale: str) -> None:
    """Keep the organiser's language (for their emails, and their pages without the switch's cookie)."""
    from flask import current_app

    if locale not in current_app.config["SUPPORTED_LOCALES"]:
        raise AccountError(_("Choose one of the languages offered."), "locale")
    user.locale = locale
    db.session.commit()


def authenticate(email: str, password: str, now: datetime | None = None) -> User | None:
    """The active account with these credentials, or None (without saying which part was wrong)."""
    user = user_by_email(email or "")
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    user.last_login_at = now or utcnow()
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; AccountError names the wrong field."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError(_("This is not your current password."), "current_password")
    check_password(new)
    user.password_hash = hash_password(new)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End every session of the user: ids made before carry the old generation and are refused."""
    # Counted up in the database, so two sign-outs at once both end what came before them.
    db.session.execute(sa.update(User).where(User.id == user.id)
                       .values(session_generation=User.session_generation + 1))
    db.session.commit()
    db.session.refresh(user)


def user_of_session(session_id: str) -> User | None:
    """The account a session id ("12.3", from User.get_id) names, if that session has not been ended."""
    user_id, _, generation = session_id.partition(".")
    if not (user_id.isdigit() and generation.isdigit()):
        return None  # a bare id comes from before generations existed: sign in again
    user = db.session.get(User, int(user_id))
    if user is None or user.session_generation != int(generation):
        return None
    return user


def may_manage(user: User, event_id: int) -> bool:
    """Admins manage every event; organisers the events they are managers of."""
    if user.is_admin:
        return True
    return db.session.get(EventManager, (event_id, user.id)) is not None


def add_manager(event_id: int, user: User) -> None:
    """Make the user a manager of the event (nothing happens if they are one already)."""
    if db.session.get(EventManager, (event_id, user.id)) is None:
        db.session.add(EventManager(event_id=event_id, user_id=user.id))
    db.session.flush()


def managed_events_filter(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on Event: the events this user may manage."""
    from eventsys.events.models import Event

    if user.is_admin:
        return sa.true()
    return Event.id.in_(sa.select(EventManager.event_id).where(EventManager.user_id == user.id))


def managed_events(user: User) -> sa.Select:
    """The events the user may manage, latest start first: the workspace's first page, and the API's list."""
    from eventsys.events.models import Event

    return (sa.select(Event).where(managed_events_filter(user))
            .order_by(Event.starts_at.desc(), Event.id.desc()))
