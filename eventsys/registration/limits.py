"""How fast the public may register: per client address, per event, and per mailbox.

Without limits one script posting made-up addresses took all 300 seats of a lecture
in two seconds and had a confirmation sent to each address (plus tags make that one
inbox, mail-bombed). Three limits, each a setting:

- per client address (REGISTRATION_RATE_LIMIT): one machine cannot register a crowd;
- per event, everyone together (REGISTRATION_EVENT_RATE_LIMIT): many machines cannot
  empty an event faster than its organisers can notice and undo it;
- per mailbox (REGISTRATION_MAILBOX_LIMIT an hour, all events together): nobody can
  make us write to one inbox again and again.

The first two count requests, before anything is read, in Flask-Limiter's storage:
Redis when REDIS_URL is set, so every process shares the counters; memory otherwise
(and while Redis is down, so registration keeps working). The API and the form share
them, so switching from one to the other buys nothing. The third counts the stored
registrations themselves, so it holds whatever the storage; two requests for one
mailbox in the same instant may both pass its check, which is one email too many,
not a flood.
"""

import math
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import ngettext

from eventsys.database import db, utcnow
from eventsys.errors import seconds_until_allowed
from eventsys.extensions import limiter
from eventsys.registration.mailboxes import mailbox_key
from eventsys.registration.models import Registration, RegistrationAttempt

#: how far back the per-mailbox limit looks
MAILBOX_WINDOW = timedelta(hours=1)


class TooManyRegistrations(Exception):
    """A limit refuses this registration; retry_after says in how many seconds it may pass."""

    def __init__(self, message: str, retry_after: int, field: str = "request"):
        super().__init__(message)
        self.retry_after = retry_after
        #: "request" for a limit on the client, "email" for the one on the mailbox
        self.field = field


def _address_message() -> str:
    # Translators: the English singular says "seconds" too; translate both forms for your language.
    return ngettext("Too many registrations from your address; try again in %(num)s seconds.",
                    "Too many registrations from your address; try again in %(num)s seconds.",
                    seconds_until_allowed())


def _event_message() -> str:
    return ngettext("Too many registrations for this event right now; try again in %(num)s seconds.",
                    "Too many registrations for this event right now; try again in %(num)s seconds.",
                    seconds_until_allowed())


def _exempt() -> bool:
    """The addresses a setting names (the benchmark's load generator) are not limited."""
    return request.remote_addr in current_app.config["RATELIMIT_EXEMPT_ADDRESSES"]


def _event_key() -> str:
    return "event:" + str((request.view_args or {}).get("slug", ""))


def limit_public_registration(view):
    """Decorate a view that registers the public: the per-address and per-event limits, on POST."""
    by_event = limiter.shared_limit(
        lambda: current_app.config["REGISTRATION_EVENT_RATE_LIMIT"], scope="registration-event",
        key_func=_event_key, methods=["POST"], exempt_when=_exempt, error_message=_event_message,
    )
    by_address = limiter.shared_limit(
        lambda: current_app.config["REGISTRATION_RATE_LIMIT"], scope="registration-address",
        methods=["POST"], exempt_when=_exempt, error_message=_address_message,
    )
    return by_event(by_address(view))


def recent_writes(key, since, allowed):
    """When the mailbox was last written to by a public action since `since`, newest first, at most allowed.

    Registrations count, and the attempts still waiting for a click (each sent a
    verification email); a clicked attempt counts as the registration it made. The
    arguments are SQL expressions: parameters here, the new registration's in seats.py.
    """
    registered = sa.select(Registration.created_at.label("at")).where(
        Registration.email_key == key, Registration.created_at > since)
    attempted = sa.select(RegistrationAttempt.created_at.label("at")).where(
        RegistrationAttempt.email_key == key, RegistrationAttempt.created_at > since,
        RegistrationAttempt.registration_id.is_(None))
    both = sa.union_all(registered, attempted).subquery()
    return sa.select(both.c.at).order_by(both.c.at.desc()).limit(allowed)


@cache
def recent_to_mailbox():
    """recent_writes with parameters key, since and allowed, built once: building cost more than running."""
    return recent_writes(sa.bindparam("key"), sa.bindparam("since", type_=Registration.created_at.type),
                         sa.bindparam("allowed", type_=sa.Integer))


def mailbox_allowance() -> int:
    """How many public registrations one mailbox may receive in MAILBOX_WINDOW."""
    return current_app.config["REGISTRATION_MAILBOX_LIMIT"]


def ensure_mailbox_not_flooded(email: str, now: datetime | None = None) -> None:
    """Raise TooManyRegistrations when this mailbox had its hour's share of registrations.

    Every registration counts, cancelled ones too: registering and cancelling in turns
    sends two emails each time. (Registering checks the same rule in its seat statement,
    seats.py; this is for the attempts of events that verify addresses.)
    """
    refusal = mailbox_refusal(email, now)
    if refusal is not None:
        raise refusal


def mailbox_refusal(email: str, now: datetime | None = None) -> TooManyRegistrations | None:
    """Why this mailbox may not be written to now, with when it may again; None when it may."""
    now = now or utcnow()
    allowed = mailbox_allowance()
    # On the session's connection, without the ORM: a column of timestamps needs none of it.
    recent = db.session.connection().scalars(recent_to_mailbox(), {
        "key": mailbox_key(email), "since": now - MAILBOX_WINDOW, "allowed": allowed}).all()
    if len(recent) < allowed:
        return None
    oldest = recent[-1]
    if oldest.tzinfo is None:  # SQLite gives naive UTC back
        oldest = oldest.replace(tzinfo=now.tzinfo)
    wait = max(1, math.ceil((oldest + MAILBOX_WINDOW - now).total_seconds()))
    return TooManyRegistrations(
        ngettext("This email address has received too many registrations in the last hour; "
                 "try again in %(num)s minutes.",
                 "This email address has received too many registrations in the last hour; "
                 "try again in %(num)s minutes.", math.ceil(wait / 60)),
        retry_after=wait, field="email",
    )
