"""What attendees receive: each email once, from what the SMTP server actually got."""

import sqlalchemy as sa
from icalendar import Calendar

from eventsys.database import db
from eventsys.events.lifecycle import cancel_event
from eventsys.events.models import EventMode
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration import services
from tests.conftest import both_databases
from tests.factories import applicant, make_event


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _states() -> dict[str, int]:
    rows = db.session.execute(sa.select(OutboundEmail.state, sa.func.count()).group_by(OutboundEmail.state))
    return {state.value: count for state, count in rows}


@both_databases
def test_a_confirmed_registrant_gets_the_confirmation_with_calendar_and_link(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(title="Symposium on Intelligent Microsystems", capacity=5)
    registration = services.register(event, applicant(1, email="li.wei@example.org"))
    [message] = smtp_sink.to("li.wei@example.org")
    assert message["Subject"] == "Registration confirmed: Symposium on Intelligent Microsystems"
    assert message["From"] == "events@astro.example.edu"
    text = _body(message)
    assert "Your seat is confirmed" in text
    assert f"http://events.test/r/{registration.token}" in text
    assert "Beijing time (GMT+08:00)" in text
    [attachment] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(attachment.get_content())
    [entry] = calendar.walk("VEVENT")
    assert entry.decoded("dtstart") == event.starts_at
    row = db.session.scalars(sa.select(OutboundEmail)).one()
    assert (row.state, row.kind) == (EmailState.sent, "registration_confirmed")
    assert row.message_id == message["Message-ID"].strip()


@both_databases
def test_a_waitlisted_registrant_is_told_their_place(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(capacity=1)
    services.register(event, applicant(1))
    services.register(event, applicant(2))
    [message] = smtp_sink.to("attendee2@example.org")
    assert message["Subject"] == f"Waiting list, number 1: {event.title}"
    assert "waiting list, number 1" in _body(message)
    assert not list(message.iter_attachments())


@both_databases
def test_cancelling_tells_the_canceller_and_the_person_who_moves_up(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(capacity=1)
    first = services.register(event, applicant(1))
    services.register(event, applicant(2))
    services.cancel_registration(first.id)
    assert [m["Subject"] for m in smtp_sink.to("attendee1@example.org")] == [
        f"Registration confirmed: {event.title}",
        f"Registration cancelled: {event.title}",
    ]
    promoted = smtp_sink.to("attendee2@example.org")
    assert [m["Subject"] for m in promoted] == [
        f"Waiting list, number 1: {event.title}",
        f"A seat is yours: {event.title}",
    ]
    assert [part.get_content_type() for part in promoted[1].iter_attachments()] == ["application/pdf",
                                                                                    "text/calendar"]
    services.cancel_registration(first.id)
    assert len(smtp_sink.messages) == 4, "cancelling again sends nothing"


def test_cancelling_an_event_notifies_everyone_registered_or_waiting_once(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(capacity=2)
    regs = [services.register(event, applicant(n)) for n in range(1, 5)]
    services.cancel_registration(regs[3].id)
    smtp_sink.messages.clear()
    connections_before = smtp_sink.connections
    assert cancel_event(event.id, reason="The venue is closed for repairs.") == 3
    assert sorted(smtp_sink.recipients()) == [f"attendee{n}@example.org" for n in (1, 2, 3)]
    assert "The venue is closed for repairs." in _body(smtp_sink.messages[0])
    assert smtp_sink.connections - connections_before == 1, "one SMTP connection for the batch"


def test_the_meeting_link_is_in_no_registration_email(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(mode=EventMode.online, capacity=1, meeting_url="https://meet.example.org/secret-room")
    first = services.register(event, applicant(1))
    services.register(event, applicant(2))
    services.cancel_registration(first.id)
    cancel_event(event.id)
    assert len(smtp_sink.messages) == 5
    for message in smtp_sink.messages:
        assert "secret-room" not in message.as_string()


def test_without_a_mail_server_messages_are_written_as_eml_files(app, mail_dir):
    event = make_event()
    services.register(event, applicant(1, email="anna@example.org"))
    [eml] = list(mail_dir.glob("*.eml"))
    assert "To: anna@example.org" in eml.read_text()
    assert _states() == {"sent": 1}


def test_html_in_names_is_escaped_in_the_html_email(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(title="Forum <b>2027</b>")
    services.register(event, applicant(1, name="<script>x</script> Li"))
    html = smtp_sink.messages[0].get_body(preferencelist=("html",)).get_content()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert "Forum &lt;b&gt;2027&lt;/b&gt;" in html


def test_names_and_titles_in_any_script_arrive_intact(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(title="国际智能微系统研讨会 — Международный симпозиум")
    services.register(event, applicant(1, name="Оксана Коваленко", email="oksana@example.org"))
    [message] = smtp_sink.to("oksana@example.org")
    assert message["Subject"] == "Registration confirmed: 国际智能微系统研讨会 — Международный симпозиум"
    assert "Dear Оксана Коваленко" in _body(message)
