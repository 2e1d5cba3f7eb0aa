"""Long subjects, in any script: stored whole, sent once, folded within the line limits of RFC 5322."""

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.mail import outbox
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration.services import register
from tests.conftest import both_databases
from tests.factories import applicant, make_event


def _title(words: str, length: int = 300) -> str:
    """A title of exactly length characters, made of the words repeated."""
    return (words * (length // len(words) + 1))[:length].strip().ljust(length, words[0])


TITLES = {
    "english": _title("International Conference on Spacecraft Dynamics and Control "),
    "russian": _title("Международная конференция по динамике и управлению космическими аппаратами "),
    "chinese": _title("航天器动力学与控制国际会议暨第十届青年学者论坛"),
    "one long word": "A" * 300,
}


def _header_lines(raw: bytes, name: str) -> list[str]:
    """The lines of one header as it came over the wire: its first line and its continuations."""
    lines = raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith((" ", "\t"))), len(lines))
    return lines[start:end]


@both_databases
@pytest.mark.parametrize("title", TITLES.values(), ids=TITLES.keys())
def test_a_300_character_title_is_confirmed_once_with_its_subject_whole_and_folded(app, title, smtp_sink):
    assert len(title) == 300
    app.config.update(smtp_sink.config(), MAIL_SENDING_TIMEOUT_SECONDS=0, MAIL_SWEEP_GRACE_SECONDS=0)
    register(make_event(title=title), applicant(1))
    for _ in range(3):  # beat's sweeps, with rows counting as stuck at once: nothing may go again
        outbox.sweep()

    [message] = smtp_sink.messages
    assert message["Subject"] == f"Registration confirmed: {title}"
    email = db.session.scalars(sa.select(OutboundEmail)).one()
    assert email.state is EmailState.sent and email.subject == message["Subject"]
    [raw] = smtp_sink.raw
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    subject = _header_lines(raw, "Subject")
    assert len(subject) > 1 and max(len(line) for line in subject) <= 78


@pytest.mark.parametrize("subject", ["Registration confirmed: Spring School", "Напоминание: Весенняя школа",
                                     "提醒：春季学校"])
def test_a_short_subject_arrives_whole_within_the_line_limit(app, subject, smtp_sink):
    app.config.update(smtp_sink.config())
    register(make_event(title="Spring School"), applicant(1))
    email = db.session.scalars(sa.select(OutboundEmail)).one()
    email.subject, email.state = subject, EmailState.failed
    db.session.commit()
    smtp_sink.messages.clear(), smtp_sink.raw.clear()
    outbox.resend(email.id)  # the same content again: here, the subject set above
    [message] = smtp_sink.messages
    assert message["Subject"] == subject
    lines = _header_lines(smtp_sink.raw[0], "Subject")
    assert max(len(line) for line in lines) <= 78
    if subject.isascii():
        assert lines == [f"Subject: {subject}"], "a short ASCII subject goes as it is"
