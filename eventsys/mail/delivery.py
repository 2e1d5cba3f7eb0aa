"""The worker's side of the outbox: claim rows, send them over one connection, record what happened."""

import logging
from datetime import timedelta
from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate, parseaddr
from functools import cache

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
    # Detached: rendering fills their fields in memory, and _record writes them with the outcome.
    for email in claimed:
        session.expunge(email)
    return sorted(claimed, key=lambda email: email.id)


def _preload(session: Session, emails: list[OutboundEmail]) -> list[Registration]:
    """Load the batch's registrations and events in one query, not one per message.

    The caller keeps the list: the session only remembers objects someone still holds.
    """
    ids = {email.registration_id for email in emails if email.registration_id is not None}
    if not ids:
        return []
    return list(session.scalars(
        sa.select(Registration).where(Registration.id.in_(ids)).options(joinedload(Registration.event))
    ))


def sender_domain() -> str:
    """The domain of our From address, for Message-IDs and calendar UIDs."""
    return current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2].strip(">") or "localhost"


#: UTF-8 bodies as quoted-printable: mostly readable, smaller than base64, and liked better by spam filters
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP

#: SMTP wants CRLF line ends, and smtplib sends bytes as they are; our headers are short (a subject is at
#: most 300 characters), so folding them, which costs more than all the rest, is left out
_WIRE = compat32.clone(linesep="\r\n", max_line_length=0)


def build_message(email: OutboundEmail) -> bytes:
    """The MIME message of a rendered row: text, HTML alternative, and the calendar when there is one.

    Built with the classic MIME classes and flattened once: the newer EmailMessage API
    parses every header it is given and took a third of a worker's time per email.
    """
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(email.text_body, "plain", _UTF8))
    body.attach(MIMEText(email.html_body, "html", _UTF8))
    message = body
    if email.ics:
        message = MIMEMultipart("mixed")
        message.attach(body)
        calendar = MIMEText(email.ics, "calendar", _UTF8)
        calendar.set_param("method", "PUBLISH")
        calendar.add_header("Content-Disposition", "attachment", filename="event.ics")
        message.attach(calendar)
    message["Subject"] = Header(email.subject, "utf-8") if not email.subject.isascii() else email.subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = email.recipient
    message["Message-ID"] = email.message_id
    message["Date"] = formatdate(usegmt=True)
    message["Auto-Submitted"] = "auto-generated"
    if any(character in email.recipient for character in "\r\n"):
        raise ValueError("the recipient address has a line break")
    return message.as_bytes(policy=_WIRE)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: doubling from MAIL_RETRY_BASE_SECONDS, at most six hours."""
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 6 * 3600))


#: outcomes are written in groups this size: a worker killed mid-batch repeats at most these messages
RECORD_EVERY = 10
#: what an outcome writes: the rendered message too, so a retry or resend sends exactly the same
_RECORDED = ("subject", "text_body", "html_body", "ics", "message_id", "state", "sent_at", "last_error",
             "next_attempt_at")


@cache
def _record_statement():
    # A plain table UPDATE run as executemany: the ORM's per-row machinery cost more than the send.
    table = OutboundEmail.__table__
    return table.update().where(table.c.id == sa.bindparam("b_id")).values(
        {name: sa.bindparam(f"b_{name}", type_=table.c[name].type) for name in _RECORDED}
    )


class _Outcomes:
    """What happened to each message of a batch, written and committed every RECORD_EVERY messages."""

    def __init__(self, session: Session):
        self.session = session
        self.rows: list[dict] = []
        self.retries: list[tuple[int, timedelta]] = []

    def _add(self, email: OutboundEmail, state: EmailState, *, last_error: str | None = None,
             sent_at=None, next_attempt_at=None) -> None:
        self.rows.append({
            "b_id": email.id, "b_subject": email.subject, "b_text_body": email.text_body,
            "b_html_body": email.html_body, "b_ics": email.ics, "b_message_id": email.message_id,
            "b_state": state, "b_sent_at": sent_at, "b_last_error": last_error,
            "b_next_attempt_at": next_attempt_at or email.next_attempt_at,
        })
        if len(self.rows) >= RECORD_EVERY:
            self.write()

    def sent(self, email: OutboundEmail) -> None:
        self._add(email, EmailState.sent, sent_at=utcnow())

    def failed(self, email: OutboundEmail, reason: str) -> None:
        self._add(email, EmailState.failed, last_error=reason)
        log.warning("email %s to %s failed: %s", email.id, email.recipient, reason)

    def later(self, emails: list[OutboundEmail], reason: str) -> None:
        """Queue again with backoff, or fail those out of attempts."""
        for email in emails:
            if email.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                self.failed(email, f"gave up after {email.attempts} attempts: {reason}")
                continue
            delay = backoff(email.attempts)
            self._add(email, EmailState.queued, last_error=reason, next_attempt_at=utcnow() + delay)
            self.retries.append((email.id, delay))

    def write(self) -> None:
        """Write what is pending in one executemany and commit it."""
        if self.rows:
            self.session.connection().execute(_record_statement(), self.rows)
            self.session.commit()
            self.rows = []


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
    with Session(db.engine, expire_on_commit=False) as session:
        emails = _claim(session, ids)
        if not emails:
            return
        loaded = _preload(session, emails)  # noqa: F841 - held so that rendering finds them in the session
        # The envelope wants the bare address of a From like "School of Astronautics <events@...>".
        sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
        outcomes = _Outcomes(session)
        try:
            with open_transport(current_app.config) as transport:
                for index, email in enumerate(emails):
                    try:
                        if email.subject is None:
                            render(session, email, sender_domain())
                        message = build_message(email)
                    except Exception as problem:  # a template or data error: retrying cannot mend it
                        outcomes.failed(email, f"could not compose the message: {problem!r}")
                        continue
                    try:
                        transport.send(sender, email.recipient, message, email.message_id)
                    except ConnectionLost as lost:
                        outcomes.later(emails[index:], str(lost))
                        break
                    except TemporaryFailure as temporary:
                        outcomes.later([email], str(temporary))
                    except PermanentFailure as permanent:
                        outcomes.failed(email, str(permanent))
                    else:
                        outcomes.sent(email)
        finally:
            outcomes.write()
    _schedule_retries(outcomes.retries)
