"""Anonymising an event's registrations: erase who came, keep what the exchange report counts.

The office's yearly report needs each event's countries, categories and counts; it
does not need names, addresses, affiliations or answers, and keeping them longer
than needed is a risk to the people who gave them. So, once an event is over (by
hand, or `anonymise_after_days` after its end, by beat), one transaction:

- erases each registration's name, email address (a unique `.invalid` placeholder,
  so the one-per-person index and the mailbox limit's keys stay harmless),
  affiliation, answers, timezone, self-service token (a fresh random one: the old
  link stops working) and check-in code (one that can never be scanned);
- keeps its country, category, status and times, so the tally, the event's counts
  and the report come out exactly the same;
- deletes the event's registration attempts (unconfirmed addresses);
- erases the address and body of the event's emails, cancelling those not sent;
- calls the erasers other domains registered (erasers.py);
- marks the event anonymised.

Why it is safe to run twice at once, or beside `flask tick`: the first statement is
a conditional UPDATE of the event's row (`anonymised_at IS NULL`). It takes the row
lock that every registration change also takes (registration.services.lock_event),
so no registration changes underneath; a second run waits for the first to commit,
then finds the event marked and does nothing.
"""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.database import committed, db, utcnow
from eventsys.events.lifecycle import RETENTION_DAYS_MIN, ChangeRefused
from eventsys.events.models import Event
from eventsys.mail import outbox
from eventsys.mail.models import OutboundEmail
from eventsys.registration.mailboxes import mailbox_key
from eventsys.registration.models import Registration, RegistrationAttempt
from eventsys.retention.erasers import run_erasers

#: what an anonymised registration's name becomes
ANONYMISED_NAME = "Anonymised"
#: placeholders end here: `.invalid` can never receive mail (RFC 2606)
PLACEHOLDER_DOMAIN = "anonymised.invalid"
#: registrations rewritten per statement: a big event's in a few round trips, without one huge statement
BATCH = 1000


def placeholder_email(registration_id: int) -> str:
    """A unique address for an anonymised registration that no mail server will ever accept."""
    return f"anonymised-{registration_id}@{PLACEHOLDER_DOMAIN}"


def placeholder_checkin_code(registration_id: int) -> str:
    """A check-in code unique within the event that the desk can never match.

    It starts with 0, which the check-in alphabet leaves out (registration/checkin_codes.py),
    so no scan or typed code reads as it; the rest is the id in base 36 (eight characters
    in all, as the column holds).
    """
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    number, text = registration_id, ""
    while number:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
    return "0" + text.rjust(7, "0")


def _claim(event_id: int, now: datetime) -> bool:
    """Mark the ended event anonymised and hold its row lock until commit; False if it cannot be."""
    claimed = db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id, Event.anonymised_at.is_(None), Event.ends_at <= now)
        .values(anonymised_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def _why_not(event_id: int, now: datetime) -> None:
    """After a failed claim: None when it is already done, else the refusal to raise."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise LookupError(f"no event {event_id}")
    if event.anonymised_at is None and event.ends_at > now:
        raise ChangeRefused({"": _("The event has not ended yet: its registrations can be anonymised "
                                   "only after it is over.")})


def _erase_registrations(event_id: int) -> int:
    """Rewrite every registration of the event without what identifies its person; returns how many."""
    ids = list(db.session.scalars(sa.select(Registration.id).where(Registration.event_id == event_id)))
    for start in range(0, len(ids), BATCH):
        rows = []
        for registration_id in ids[start:start + BATCH]:
            email = placeholder_email(registration_id)
            rows.append({
                "id": registration_id, "name": ANONYMISED_NAME, "name_latin": "", "email": email,
                "email_key": mailbox_key(email), "affiliation": "", "answers": {}, "timezone": None,
                "token": secrets.token_urlsafe(24), "checkin_code": placeholder_checkin_code(registration_id),
            })
        db.session.execute(sa.update(Registration), rows)
    return len(ids)


def _event_emails(event_id: int) -> sa.ColumnElement[bool]:
    """The outbox rows about the event or any of its registrations."""
    of_registrations = sa.select(Registration.id).where(Registration.event_id == event_id)
    return sa.or_(OutboundEmail.event_id == event_id, OutboundEmail.registration_id.in_(of_registrations))


def anonymise_event(event_id: int, now: datetime | None = None) -> int | None:
    """Erase the personal data of an ended event's registrations, in one transaction (see above).

    Returns how many registrations were anonymised, or None when the event already
    was. Refuses with ChangeRefused before the event has ended; raises LookupError
    for an unknown event.
    """
    now = now or utcnow()
    # End any read the caller began: the claim must see the event's row as it is now, also on SQLite.
    db.session.commit()
    with committed():
        if not _claim(event_id, now):
            _why_not(event_id, now)
            db.session.rollback()
            return None
        erased = _erase_registrations(event_id)
        db.session.execute(sa.delete(RegistrationAttempt).where(RegistrationAttempt.event_id == event_id))
        outbox.erase(_event_emails(event_id))
        run_erasers(event_id)
    db.session.expire_all()  # objects read before hold the erased values
    return erased


def due_for_anonymising(now: datetime | None = None) -> list[int]:
    """Ids of the events whose end plus their `anonymise_after_days` has passed, not yet anonymised."""
    now = now or utcnow()
    candidates = db.session.execute(
        sa.select(Event.id, Event.ends_at, Event.anonymise_after_days)
        .where(Event.anonymise_after_days.is_not(None), Event.anonymised_at.is_(None),
               # The shortest wait narrows the rows; each event's own wait is checked below.
               Event.ends_at <= now - timedelta(days=RETENTION_DAYS_MIN))
        .order_by(Event.ends_at)
    )
    # Days are added here, not in SQL: date arithmetic is spelled differently on each database.
    return [event_id for event_id, ends_at, days in candidates if ends_at + timedelta(days=days) <= now]


def anonymise_due_events(now: datetime | None = None) -> int:
    """Anonymise every event whose day has come (run by beat and `flask tick`); returns how many it did."""
    now = now or utcnow()
    done = 0
    for event_id in due_for_anonymising(now):
        done += anonymise_event(event_id, now) is not None
    return done
