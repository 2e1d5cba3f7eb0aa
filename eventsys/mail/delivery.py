"""The worker's side of the outbox: claim rows, send them over one connection, record what happened."""

import logging
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, joinedload

from eventsys.database import db, utcnow
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.mail.rendering import render
from eventsys.mail.transport import ConnectionLost, PermanentFailure, TemporaryFailure, open_transport
from eventsys.registration.models import Registration

log = logging.getLogger(__name__)


def _claim(session: Session, ids: list[int]) -> list[OutboundEmail]:
    """Take the rows that are queued and due; a row another worker took is simply not returned."""
    now = utcnow()
    claimed = list(session.scalars(
        sa.update(OutboundEmail)
        .where(OutboundEmail.id.in_(ids), OutboundEmail.state == EmailState.queued,
               OutboundEmail.next_attempt_at <= now)
        .values(state=EmailState.sending, claimed_at=now, attempts=OutboundEmail.attempts + 1)
        .returning(OutboundEmail)
        .execution_options(synchronize_session=False)
    ))
    session.commit()
    return sorted(claimed, key=lambda email: email.id)


def _preload(session: Session, emails: list[OutboundEmail]) -> None:
    """Load the batch's registrations and events in one query, not one per message."""
    ids = {email.registration_id for email in emails if email.registration_id is not None}
    if ids:
        list(session.scalars(
            sa.select(Registration).where(Registration.id.in_(ids)).options(joinedload(Registration.event))
        ))


def sender_domain() -> str:
    """The domain of our From address, for Message-IDs and calendar UIDs."""
    return current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2].strip(">") or "localhost"


_POLICY = SMTP.clone(max_line_length=998)


def build_message(email: OutboundEmail) -> EmailMessage:
    """The MIME message of a rendered row: text, HTML alternative, and the calendar when there is one."""
    # Lines up to the SMTP limit: a long subject is not folded onto a continuation line.
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = email.subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    username, _, domain = email.recipient.rpartition("@")
    message["To"] = Address(addr_spec=email.recipient) if username and domain else email.recipient
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    if email.ics:
        message.add_attachment(email.ics.encode(), maintype="text", subtype="calendar",
                               filename="event.ics", params={"method": "PUBLISH"})
    return message


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: doubling from MAIL_RETRY_BASE_SECONDS, at most six hours."""
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 6 * 3600))


def _sent(session: Session, email: OutboundEmail) -> None:
    email.state, email.sent_at, email.last_error = EmailState.sent, utcnow(), None
    session.commit()


def _failed(session: Session, email: OutboundEmail, reason: str) -> None:
    email.state, email.last_error = EmailState.failed, reason
    session.commit()
    log.warning("email %s to %s failed: %s", email.id, email.recipient, reason)


def _later(session: Session, emails: list[OutboundEmail], reason: str) -> list[tuple[int, timedelta]]:
    """Queue again with backoff, or fail those out of attempts; returns (id, delay) of the queued."""
    retries = []
    for email in emails:
        if email.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            email.state = EmailState.failed
            email.last_error = f"gave up after {email.attempts} attempts: {reason}"
            continue
        delay = backoff(email.attempts)
        email.state, email.last_error, email.next_attempt_at = EmailState.queued, reason, utcnow() + delay
        retries.append((email.id, delay))
    session.commit()
    return retries


def _schedule_retries(retries: list[tuple[int, timedelta]]) -> None:
    """Ask for another delivery when the backoff ends; the sweep covers it if the broker cannot."""
    from eventsys.mail.tasks import deliver_emails

    if not retries or current_app.extensions["celery"].conf.task_always_eager:
        return  # in-process mode: `flask tick` (or the next sweep) sends them when due
    delay = max(delay for _, delay in retries)
    try:
        deliver_emails.apply_async([[email_id for email_id, _ in retries]], countdown=delay.total_seconds())
    except Exception:
        log.warning("could not schedule retries; the sweep will", exc_info=True)


def deliver(ids: list[int]) -> None:
    """Send the given outbox rows that are still waiting; a second delivery of the same ids sends nothing.

    Uses a session of its own: in the in-process mode it runs right after the
    caller's commit, while the caller's session is still closing that transaction.
    """
    retries: list[tuple[int, timedelta]] = []
    with Session(db.engine, expire_on_commit=False) as session:
        emails = _claim(session, ids)
        if not emails:
            return
        _preload(session, emails)
        with open_transport(current_app.config) as transport:
            for index, email in enumerate(emails):
                try:
                    if email.subject is None:
                        render(session, email, sender_domain())
                    message = build_message(email)
                except Exception as problem:  # a template or data error: retrying cannot mend it
                    _failed(session, email, f"could not compose the message: {problem!r}")
                    continue
                try:
                    transport.send(message)
                except ConnectionLost as lost:
                    retries += _later(session, emails[index:], str(lost))
                    break
                except TemporaryFailure as temporary:
                    retries += _later(session, [email], str(temporary))
                except PermanentFailure as permanent:
                    _failed(session, email, str(permanent))
                else:
                    _sent(session, email)
    _schedule_retries(retries)
