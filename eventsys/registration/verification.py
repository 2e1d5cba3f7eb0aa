"""Email verification: a public registrant proves the address before any place is decided.

Without it, a script posting made-up addresses takes every seat of a popular lecture
(and its meeting link) before a person can. On an event with `verify_emails` a
public registration is only an attempt: what the person submitted is checked and
kept, and one email with a signed link goes to the address. Nothing is held: no
seat, no waiting-list number, no row among the registrations.

The click registers, through the same race-free seat rule as everyone else
(services.register_checked, under the event's lock), at the moment of the click: so
seats go in click order, and an address nobody reads never takes one. An attempt
expires after REGISTRATION_VERIFY_MINUTES; the periodic clean-up deletes what
nobody clicked. A second click, or a click on an older attempt of the same person,
leads to the registration the first one made. Organisers' own additions (and,
later, invited guests) never pass through here.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from eventsys.database import committed, db, utcnow
from eventsys.events.models import Event
from eventsys.links import external_url
from eventsys.mail import outbox
from eventsys.registration import limits, services
from eventsys.registration.emails import REGISTRATION_VERIFY
from eventsys.registration.mailboxes import mailbox_key
from eventsys.registration.models import Registration, RegistrationAttempt
from eventsys.tokens import ExpiredToken, InvalidToken, make_token, read_token

#: the salt of the links' signatures: a link made for anything else cannot confirm an attempt
TOKEN_PURPOSE = "registration-verify"
#: the email that carries the link
KIND = REGISTRATION_VERIFY
#: how long a clicked attempt is kept, so that its link still leads to the registration it made
KEPT_FOR = timedelta(days=2)


class VerificationFailed(Exception):
    """The link cannot register anyone; `expired` when it was genuine but came too late."""

    def __init__(self, message: str, *, expired: bool, event: Event | None = None):
        super().__init__(message)
        self.expired = expired
        #: the event to offer a fresh start on, when known
        self.event = event


def window() -> timedelta:
    """How long a registrant has to click the link."""
    return timedelta(minutes=current_app.config["REGISTRATION_VERIFY_MINUTES"])


def start(event: Event, applicant: services.Applicant, now: datetime | None = None) -> RegistrationAttempt:
    """Check the applicant as register would, keep the attempt and email the link; nothing is held.

    Raises what a public services.register raises: AlreadyRegistered included (a person
    already holding a place learns it now, not after a click), and TooManyRegistrations
    when the mailbox had its share (the link is an email too).
    """
    now = now or utcnow()
    services.ensure_registration_open(event, now)
    values = services.check_applicant(event, applicant)
    limits.ensure_mailbox_not_flooded(values["email"], now)
    key = mailbox_key(values["email"])
    existing = services.active_registration(event.id, key)
    if existing is not None:
        raise services.AlreadyRegistered(existing)
    attempt = RegistrationAttempt(event_id=event.id, email_key=key, values=values, locale=applicant.locale,
                                  created_at=now, expires_at=now + window())
    # The attempt and its email are written together: end the reads (which may run in autocommit,
    # services.read_outside_transactions) so that they go in one transaction of their own.
    db.session.commit()
    with committed():
        db.session.add(attempt)
        db.session.flush()
        link = external_url("registration.verify", token=make_token(TOKEN_PURPOSE, attempt.id))
        outbox.enqueue(KIND, values["email"], f"{KIND}:attempt:{attempt.id}", locale=applicant.locale,
                       event_id=event.id, context={"name": values["name"], "verify_url": link,
                                                   "expires_at": attempt.expires_at.isoformat(),
                                                   "timezone": values.get("timezone")})
    return attempt


def _attempt_of(token: str) -> RegistrationAttempt:
    """The attempt the link names, whatever its age; VerificationFailed when there is none."""
    try:
        attempt_id = read_token(TOKEN_PURPOSE, token, max_age=KEPT_FOR)
    except ExpiredToken:
        raise VerificationFailed(_("This link has expired. Please register again."), expired=True) from None
    except InvalidToken:
        raise VerificationFailed(_("This link is not valid."), expired=False) from None
    attempt = db.session.get(RegistrationAttempt, attempt_id) if isinstance(attempt_id, int) else None
    if attempt is None:
        raise VerificationFailed(_("This link has expired. Please register again."), expired=True)
    return attempt


def _made_by(attempt: RegistrationAttempt, registration: Registration) -> Registration:
    """Remember which registration the attempt became, and forget what it kept: the registration holds it."""
    db.session.execute(
        sa.update(RegistrationAttempt)
        .where(RegistrationAttempt.id == attempt.id, RegistrationAttempt.registration_id.is_(None))
        .values(registration_id=registration.id, values={})
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return registration


def confirm(token: str, now: datetime | None = None) -> Registration:
    """Register the attempt the link names, now, with the seat rule; its registration when already made.

    Raises VerificationFailed for a link that is not ours or came too late, and
    RegistrationClosed when the event stopped taking registrations meanwhile.
    """
    now = now or utcnow()
    attempt = _attempt_of(token)
    if attempt.registration_id is not None:
        return db.session.get(Registration, attempt.registration_id)
    event = attempt.event
    if now >= attempt.expires_at:
        raise VerificationFailed(_("This link has expired. Please register again."), expired=True,
                                 event=event)
    services.ensure_registration_open(event, now)
    try:
        registration = services.register_checked(event, attempt.values, attempt.locale, now,
                                                 consented_at=attempt.created_at)
    except services.AlreadyRegistered as already:
        # A second click of this link, or of another attempt by the same person: one registration.
        registration = already.registration
    return _made_by(attempt, registration)


def prune(now: datetime | None = None) -> int:
    """Delete attempts nobody clicked once they no longer count for any limit, and used ones after a while.

    What a person typed is kept no longer than it serves: an unclicked attempt goes an
    hour after it expired (the mailbox limit's window), a clicked one (already emptied)
    after KEPT_FOR. Run periodically; returns how many went.
    """
    now = now or utcnow()
    deleted = db.session.execute(
        sa.delete(RegistrationAttempt).where(sa.or_(
            sa.and_(RegistrationAttempt.registration_id.is_(None),
                    RegistrationAttempt.expires_at < now - limits.MAILBOX_WINDOW),
            RegistrationAttempt.created_at < now - KEPT_FOR,
        ))
    ).rowcount
    db.session.commit()
    return deleted
