"""Internationalised addresses: delivered where the server allows, else refused alone, saying why."""

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.mail import outbox
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration.emails import enqueue_for_registrations
from eventsys.registration.models import Registration
from eventsys.registration.services import register
from tests.conftest import both_databases
from tests.factories import applicant, make_event
from tests.smtp_sink import SmtpSink

#: two ASCII addresses, a Unicode local part, and two Unicode domains with ASCII local parts
ADDRESSES = ["attendee1@example.org", "josé@example.org", "info@例え.jp", "user@bücher.example",
             "attendee5@example.org"]


def _sink(smtputf8: bool):
    sink = SmtpSink(smtputf8=smtputf8).start()
    yield sink
    sink.stop()


@pytest.fixture
def utf8_sink():
    """A mail server that offers SMTPUTF8, as Postfix, Exim and Mailpit can."""
    yield from _sink(smtputf8=True)


@pytest.fixture
def ascii_sink():
    """A mail server that does not offer SMTPUTF8."""
    yield from _sink(smtputf8=False)


def _reminders_to_everyone(app, sink) -> None:
    """Five registrations (their confirmations go to files), then one batch of reminders to the sink."""
    event = make_event(capacity=None)
    for n, address in enumerate(ADDRESSES, start=1):
        register(event, applicant(n, email=address))
    app.config.update(sink.config())
    enqueue_for_registrations("reminder", Registration.event_id == event.id, scope="1440m")
    db.session.commit()  # one delivery of the five, in this process


def _reminders() -> dict[str, OutboundEmail]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.kind == "reminder"))
    return {row.recipient: row for row in rows}


def _received(sink) -> dict[str, tuple[str, bool]]:
    """Envelope recipient -> (To header, whether SMTPUTF8 was used)."""
    pairs = zip(sink.messages, sink.envelopes, strict=True)
    return {rcpt: (message["To"], utf8) for message, ([rcpt], utf8) in pairs}


@both_databases
def test_a_server_offering_smtputf8_gets_every_address(app, utf8_sink):
    _reminders_to_everyone(app, utf8_sink)
    assert {row.state for row in _reminders().values()} == {EmailState.sent}
    assert _received(utf8_sink) == {
        "attendee1@example.org": ("attendee1@example.org", False),
        "attendee5@example.org": ("attendee5@example.org", False),
        # Only the local part needs UTF-8: the envelope and the To header carry it as it is.
        "josé@example.org": ("josé@example.org", True),
        # An ASCII local part goes everywhere with its domain in IDNA, even past relays without SMTPUTF8.
        "info@xn--r8jz45g.jp": ("info@xn--r8jz45g.jp", False),
        "user@xn--bcher-kva.example": ("user@xn--bcher-kva.example", False),
    }
    assert b"xn--r8jz45g.jp".decode("idna") == "例え.jp"


@both_databases
def test_a_server_without_smtputf8_gets_the_rest_of_the_batch_and_the_unicode_mailbox_fails_saying_why(
    app, ascii_sink
):
    _reminders_to_everyone(app, ascii_sink)
    rows = _reminders()
    refused = rows.pop("josé@example.org")
    assert refused.state is EmailState.failed
    assert refused.last_error == "the mail server does not accept non-ASCII addresses (SMTPUTF8)"
    assert refused.attempts == 1
    assert {row.state for row in rows.values()} == {EmailState.sent}
    assert sorted(_received(ascii_sink)) == sorted([
        "attendee1@example.org", "attendee5@example.org", "info@xn--r8jz45g.jp", "user@xn--bcher-kva.example",
    ])
    assert not any(utf8 for _, utf8 in ascii_sink.envelopes)


def test_the_refused_mailbox_stays_failed_through_sweeps_and_sends_nothing_more(app, ascii_sink):
    _reminders_to_everyone(app, ascii_sink)
    app.config.update(MAIL_SENDING_TIMEOUT_SECONDS=0, MAIL_SWEEP_GRACE_SECONDS=0)
    for _ in range(3):
        outbox.sweep()
    assert _reminders()["josé@example.org"].state is EmailState.failed
    assert len(ascii_sink.messages) == 4
