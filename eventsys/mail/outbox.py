"""The outbox: adding emails in the caller's transaction, and handing them to the worker after commit.

Nothing here talks to a mail server; `delivery.py` does, in the worker. A row is
written first and a task queued with its id only after the commit, so an email
exists exactly when the change that caused it does. If the broker is down the
row simply waits: the sweep (beat, or `flask tick`) finds it.
"""

import atexit
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from eventsys.database import db, utcnow
from eventsys.mail.dispatcher import Dispatcher
from eventsys.mail.models import EmailState, OutboundEmail

log = logging.getLogger(__name__)

#: ids handed to one delivery task: one SMTP connection sends them all
BATCH_SIZE = 100
#: the session.info key under which ids wait for the commit
_PENDING = "outbox_pending_ids"


def _insert(dialect_name: str):
    """INSERT that skips a row whose idempotency key is already in the outbox."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(OutboundEmail).on_conflict_do_nothing(index_elements=["idempotency_key"])


def _remember(ids: Iterable[int], session: Session | None = None) -> None:
    (session or db.session).info.setdefault(_PENDING, []).extend(ids)


def enqueue(kind: str, recipient: str, key: str, *, locale: str = "en", context: dict | None = None,
            event_id: int | None = None, registration_id: int | None = None,
            session: Session | None = None) -> int | None:
    """Add one email to the outbox in the current transaction; returns its id, None if the key exists.

    session: a worker's own session, when not the app's (its commit hands the email on, as the app's does).
    """
    now = utcnow()
    session = session or db.session
    statement = _insert(session.get_bind().dialect.name).values(
        kind=kind, recipient=recipient, idempotency_key=key, locale=locale, context=context or {},
        event_id=event_id, registration_id=registration_id, state=EmailState.queued, attempts=0,
        next_attempt_at=now, created_at=now,
    ).returning(OutboundEmail.id)
    email_id = session.scalar(statement)
    if email_id is not None:
        _remember([email_id], session)
    return email_id


def enqueue_selected(kind: str, rows: sa.Select, *, context: dict | None = None,
                     not_before: datetime | None = None) -> int:
    """Add one email of kind for every row that rows selects, in one INSERT ... SELECT; returns how many.

    rows selects each email's recipient, idempotency key, locale, event id and
    registration id, in this order (registration.emails.enqueue_for_registrations
    makes it for registrations). Rows whose key is already in the outbox are skipped.
    """
    now = utcnow()
    source = rows.add_columns(
        sa.literal(kind),
        sa.literal(context or {}, OutboundEmail.context.type),
        sa.literal(EmailState.queued.value),
        sa.literal(0),
        sa.literal(not_before or now, OutboundEmail.next_attempt_at.type),
        sa.literal(now, OutboundEmail.created_at.type),
    )
    statement = _insert(db.session.get_bind().dialect.name).from_select(
        ["recipient", "idempotency_key", "locale", "event_id", "registration_id", "kind", "context", "state",
         "attempts", "next_attempt_at", "created_at"],
        source,
    ).returning(OutboundEmail.id)
    ids = list(db.session.scalars(statement))
    _remember(ids)
    return len(ids)


def _publish(celery_app, ids: list[int]) -> None:
    """One delivery task per batch of ids; raises when the broker cannot be reached."""
    for start in range(0, len(ids), BATCH_SIZE):
        celery_app.send_task("eventsys.mail.deliver_emails", args=[ids[start:start + BATCH_SIZE]])


_dispatcher = Dispatcher(_publish)
atexit.register(_dispatcher.flush)


def dispatch(ids: list[int]) -> None:
    """Hand committed outbox rows to delivery; a broker that is down only delays them.

    With a broker the ids go to this process's dispatcher thread, which publishes
    them in batches; in the in-process mode they are delivered right here.
    """
    if not ids:
        return
    celery_app = current_app.extensions["celery"]
    if not celery_app.conf.task_always_eager:
        _dispatcher.submit(celery_app, list(ids))
        return
    from eventsys.mail.tasks import deliver_emails

    for start in range(0, len(ids), BATCH_SIZE):
        try:
            deliver_emails.delay(ids[start:start + BATCH_SIZE])
        except Exception:  # delivery trouble must not undo the caller's committed change
            log.warning("could not deliver emails %s now; the sweep will", ids, exc_info=True)


def flush_dispatch() -> None:
    """Publish what the dispatcher thread has not published yet (tests, and before a process ends)."""
    _dispatcher.flush()


def _dispatch_after_commit(session) -> None:
    ids = session.info.pop(_PENDING, None)
    if ids:
        dispatch(ids)


def _forget_after_rollback(session, *_args) -> None:
    session.info.pop(_PENDING, None)


def install_commit_hooks() -> None:
    """Queue delivery when the transaction that wrote the rows commits, and forget them on rollback.

    On every session, not only the app's: a worker's own session may add emails too.
    """
    target = Session
    if not sa.event.contains(target, "after_commit", _dispatch_after_commit):
        sa.event.listen(target, "after_commit", _dispatch_after_commit)
        sa.event.listen(target, "after_soft_rollback", _forget_after_rollback)


def due_for_delivery(now: datetime, grace: timedelta, limit: int = 10_000) -> list[int]:
    """Queued rows to hand to delivery: retries whose time has come, and new rows whose task was lost.

    A retry has no task anywhere (its due time in the row is all there is), so it goes
    as soon as it is due; a new row (no attempt yet) has its task on the way, so it only
    counts as lost once the grace period is over.
    """
    return list(db.session.scalars(
        sa.select(OutboundEmail.id)
        .where(OutboundEmail.state == EmailState.queued,
               sa.or_(OutboundEmail.next_attempt_at <= now - grace,
                      sa.and_(OutboundEmail.attempts > 0, OutboundEmail.next_attempt_at <= now)))
        .order_by(OutboundEmail.next_attempt_at)
        .limit(limit)
    ))


def release_stuck(now: datetime) -> list[int]:
    """Put rows left `sending` by a worker that died back in the queue; returns their ids."""
    timeout = timedelta(seconds=current_app.config["MAIL_SENDING_TIMEOUT_SECONDS"])
    released = list(db.session.scalars(
        sa.update(OutboundEmail)
        .where(OutboundEmail.state == EmailState.sending, OutboundEmail.claimed_at < now - timeout)
        .values(state=EmailState.queued, next_attempt_at=now)
        .returning(OutboundEmail.id)
        .execution_options(synchronize_session=False)
    ))
    db.session.commit()
    return released


def sweep(now: datetime | None = None) -> int:
    """Release rows stuck in `sending`, and queue retries that are due and rows whose task was lost.

    This is how every retry is sent: a temporary failure only sets the row's
    next_attempt_at, and no task waits in the broker for it, so a broker that
    restarts loses nothing. Released rows go at once.
    """
    now = now or utcnow()
    released = release_stuck(now)
    grace = timedelta(seconds=current_app.config["MAIL_SWEEP_GRACE_SECONDS"])
    already = set(released)
    waiting = [i for i in due_for_delivery(now, grace) if i not in already]
    dispatch(released + waiting)
    return len(released) + len(waiting)


#: what an erased email's recipient becomes: `.invalid` can never be delivered (RFC 2606)
ERASED_RECIPIENT = "erased@erased.invalid"


def erase(emails: sa.ColumnElement[bool]) -> int:
    """Cancel the selected emails still waiting, and forget the address and body of all of them.

    For data retention: what remains says that an email of a kind (and subject)
    went out, and when, but no longer to whom or what it said. Erased emails are never sent
    again (resend skips them). Runs in the caller's transaction; returns how many.
    """
    db.session.execute(
        sa.update(OutboundEmail)
        .where(emails, OutboundEmail.state == EmailState.queued)
        .values(state=EmailState.cancelled)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(
        sa.update(OutboundEmail)
        .where(emails)
        .values(recipient=ERASED_RECIPIENT, context={}, text_body=None, html_body=None, ics=None,
                last_error=None)
        .execution_options(synchronize_session=False)
    ).rowcount


#: the states an email can be sent again from: it did not go, and nobody is sending it
RESENDABLE = (EmailState.failed, EmailState.cancelled)


def resend_refusal(email: OutboundEmail) -> str | None:
    """Why this email cannot be sent again, in words for the organiser; None when it can (resend will)."""
    if email.recipient == ERASED_RECIPIENT:
        return _("This email's address and text were erased with the event's personal data: "
                 "it cannot be sent again.")
    if email.state not in RESENDABLE:
        # Translators: %(state)s is the email's state as stored (queued, sending, sent…)
        return _("The email to %(recipient)s is %(state)s: only failed or cancelled ones are sent again.",
                 recipient=email.recipient, state=email.state.value)
    return None


def resend(email_id: int) -> None:
    """Queue a failed or cancelled email again, with the same content (never an erased one)."""
    db.session.execute(
        sa.update(OutboundEmail)
        .where(OutboundEmail.id == email_id, OutboundEmail.recipient != ERASED_RECIPIENT,
               OutboundEmail.state.in_([EmailState.failed, EmailState.cancelled]))
        .values(state=EmailState.queued, next_attempt_at=utcnow(), attempts=0, last_error=None)
        .execution_options(synchronize_session=False)
    )
    _remember([email_id])
    db.session.commit()


def withdraw_queued(event_id: int, kinds: list[str]) -> int:
    """Cancel the event's emails of these kinds that have not gone yet (a cancelled event's reminders)."""
    return db.session.execute(
        sa.update(OutboundEmail)
        .where(OutboundEmail.event_id == event_id, OutboundEmail.kind.in_(kinds),
               OutboundEmail.state == EmailState.queued)
        .values(state=EmailState.cancelled, last_error="withdrawn: the event was cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount


def cancel(email_id: int) -> None:
    """Withdraw a queued email before it is sent."""
    db.session.execute(
        sa.update(OutboundEmail)
        .where(OutboundEmail.id == email_id, OutboundEmail.state == EmailState.queued)
        .values(state=EmailState.cancelled)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def resend_failed(event_id: int | None = None) -> int:
    """Queue every failed email again, of one event or of all; returns how many."""
    statement = sa.update(OutboundEmail).where(OutboundEmail.state == EmailState.failed,
                                               OutboundEmail.recipient != ERASED_RECIPIENT)
    if event_id is not None:
        statement = statement.where(OutboundEmail.event_id == event_id)
    ids = list(db.session.scalars(
        statement.values(state=EmailState.queued, next_attempt_at=utcnow(), attempts=0, last_error=None)
        .returning(OutboundEmail.id)
        .execution_options(synchronize_session=False)
    ))
    _remember(ids)
    db.session.commit()
    return len(ids)
