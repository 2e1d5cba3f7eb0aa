"""The worker's side of the outbox: claim rows, send them over one connection, record what happened."""

import logging
from collections.abc import Callable
from datetime import timedelta
from email.utils import parseaddr
from functools import cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from eventsys.database import db, utcnow
from eventsys.mail.kinds import Attachment, UnknownEmailKind, kind_named
from eventsys.mail.mime import build_message
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.mail.rendering import render
from eventsys.mail.transport import ConnectionLost, PermanentFailure, TemporaryFailure, open_transport

log = logging.getLogger(__name__)

#: what other domains do when emails fail for good (webhooks tell receivers): each is called with the
#: session and the failed ids, in the transaction that records them. Mail knows no domain: they add
#: themselves (on_failure); one that raises is logged, and the emails are recorded failed all the same
_failure_listeners: list[Callable[[Session, list[int]], None]] = []


def on_failure(listener: Callable[[Session, list[int]], None]) -> None:
    """Call listener whenever emails fail for good (adding the same one again changes nothing)."""
    if listener not in _failure_listeners:
        _failure_listeners.append(listener)


def _tell_failures(session: Session, rows: list[dict]) -> None:
    failed = [row["b_id"] for row in rows if row["b_state"] is EmailState.failed]
    for listener in _failure_listeners if failed else ():
        try:
            listener(session, failed)
        except Exception:  # theirs to fix; the outcome must still be written
            log.exception("%s failed for emails %s", listener, failed)


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


def _preload(session: Session, emails: list[OutboundEmail]) -> list:
    """Let each kind load the rows its emails of the batch refer to in one query, not one per message.

    Kinds that share a preload (every kind about a registration) load together. The
    caller keeps the list: the session only remembers objects someone still holds.
    """
    batches: dict = {}
    for email in emails:
        try:
            preload = kind_named(email.kind).preload
        except UnknownEmailKind:
            continue  # rendering fails this one alone
        if preload is not None:
            batches.setdefault(preload, []).append(email)
    return [row for preload, batch in batches.items() for row in preload(session, batch)]


def sender_domain() -> str:
    """The domain of our From address, for Message-IDs and calendar UIDs."""
    return current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2].strip(">") or "localhost"


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: doubling from MAIL_RETRY_BASE_SECONDS, at most six hours."""
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 6 * 3600))


#: outcomes are written in groups this size: a worker killed mid-batch repeats at most these messages
RECORD_EVERY = 10
#: what an outcome writes: the rendered message too, so a retry or resend sends exactly the same
_RECORDED = ("subject", "text_body", "html_body", "ics", "message_id", "state", "sent_at", "last_error",
             "next_attempt_at")
#: what an outcome writes when the rendered message cannot be stored: at least what happened
_STATE_ONLY = ("state", "sent_at", "last_error", "next_attempt_at")


@cache
def _record_statement(names: tuple[str, ...] = _RECORDED):
    # A plain table UPDATE run as executemany: the ORM's per-row machinery cost more than the send.
    table = OutboundEmail.__table__
    return table.update().where(table.c.id == sa.bindparam("b_id")).values(
        {name: sa.bindparam(f"b_{name}", type_=table.c[name].type) for name in names}
    )


class _Outcomes:
    """What happened to each message of a batch, written and committed every RECORD_EVERY messages.

    A message that went out must end `sent` whatever else fails: left `sending`, the
    sweep would send it again. So a group the database refuses is written again row by
    row, and a row refused alone is written without its rendered content.
    """

    def __init__(self, session: Session):
        self.session = session
        self.rows: list[dict] = []

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
        """Queue again with backoff, or fail those out of attempts; the sweep sends them when due."""
        for email in emails:
            if email.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                self.failed(email, f"gave up after {email.attempts} attempts: {reason}")
                continue
            self._add(email, EmailState.queued, last_error=reason,
                      next_attempt_at=utcnow() + backoff(email.attempts))

    def write(self) -> None:
        """Write what is pending in one executemany and commit it; row by row if the group is refused."""
        rows, self.rows = self.rows, []
        if not rows:
            return
        try:
            self._execute(_record_statement(), rows)
        except Exception:
            log.warning("could not record %d outcomes together; recording them one by one", len(rows),
                        exc_info=True)
            for row in rows:
                self._write_alone(row)

    def _write_alone(self, row: dict) -> None:
        try:
            self._execute(_record_statement(), [row])
            return
        except Exception as problem:
            log.warning("could not record email %s with its content", row["b_id"], exc_info=True)
            reason = f"its message could not be stored: {problem!r}"[:2000]
        state_only = {f"b_{name}": row[f"b_{name}"] for name in _STATE_ONLY}
        if row["b_state"] is not EmailState.sent:
            state_only["b_last_error"] = f"{row['b_last_error']}; {reason}"
        try:
            self._execute(_record_statement(_STATE_ONLY), [{"b_id": row["b_id"], **state_only}], tell=False)
        except Exception:  # the database is gone: the row stays `sending` for the sweep to release
            log.exception("could not record the outcome of email %s", row["b_id"])

    def _execute(self, statement, rows: list[dict], tell: bool = True) -> None:
        try:
            self.session.connection().execute(statement, rows)
            if tell:  # not in the last resort, which must write even if a listener broke the transaction
                _tell_failures(self.session, rows)
            self.session.commit()
        except Exception:
            self.session.rollback()
            raise


def attachments_of(session: Session, email: OutboundEmail) -> list[Attachment]:
    """What the kind adds to this rendered row (a ticket, an image), made afresh for each delivery.

    One that cannot be made leaves the message without it: the email still says what it
    must in its text, and a retry would fail the same way, so failing it would lose it.
    """
    try:
        make = kind_named(email.kind).attachments
    except UnknownEmailKind:  # a row rendered before its kind was withdrawn: it goes as it was
        return []
    if make is None:
        return []
    try:
        return make(session, email)
    except Exception as problem:
        if isinstance(problem, sa.exc.SQLAlchemyError):
            session.rollback()  # else the transaction stays aborted for the rest of the batch
        log.exception("email %s goes without its attachments: they could not be made", email.id)
        return []


def _send_one(session: Session, transport, sender: str, email: OutboundEmail) -> None:
    """Compose and send one message; raises the transport's failures, composing ones as PermanentFailure."""
    try:
        if email.subject is None:
            render(session, email, sender_domain())
    except Exception as problem:  # a template or data error: retrying cannot mend it
        if isinstance(problem, sa.exc.SQLAlchemyError):
            session.rollback()  # else the transaction stays aborted for the rest of the batch
        raise PermanentFailure(f"could not compose the message: {problem!r}") from problem
    recipient = transport.address_for(email.recipient)
    attachments = attachments_of(session, email)
    try:
        message = build_message(email, recipient, attachments)
    except Exception as problem:
        raise PermanentFailure(f"could not compose the message: {problem!r}") from problem
    transport.send(sender, recipient, message, email.message_id)


def deliver(ids: list[int]) -> None:
    """Send the given outbox rows that are still waiting; a second delivery of the same ids sends nothing.

    Whatever goes wrong with one message fails that message, never its batch: no
    row is left `sending` by an error that could be caught. Uses a session of its
    own: in the in-process mode it runs right after the caller's commit, while the
    caller's session is still closing that transaction.
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
                        _send_one(session, transport, sender, email)
                    except ConnectionLost as lost:
                        outcomes.later(emails[index:], str(lost))
                        break
                    except TemporaryFailure as temporary:
                        outcomes.later([email], str(temporary))
                    except PermanentFailure as permanent:
                        outcomes.failed(email, str(permanent))
                    except Exception as problem:  # a bug of ours or of a library: this message only
                        log.exception("email %s could not be sent", email.id)
                        outcomes.failed(email, f"could not send: {problem!r}")
                    else:
                        outcomes.sent(email)
        finally:
            outcomes.write()
