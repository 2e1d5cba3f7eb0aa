"""The ticket in the email: what an attendee's mail program receives, parsed as it would parse it."""

import email
import io
import re
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from eventsys.database import db, utcnow
from eventsys.events.models import EventMode
from eventsys.mail import delivery, outbox
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration import services
from tests.conftest import both_databases
from tests.factories import applicant, make_event
from tests.servers import free_port

#: the parts of a confirmation at an event with a door, in the order a mail program walks them
TICKET_EMAIL = ["multipart/mixed", "multipart/related", "multipart/alternative", "text/plain", "text/html",
                "image/png", "application/pdf", "text/calendar"]
#: the same without the ticket: text, HTML and the calendar
NO_TICKET_EMAIL = ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar"]


def _structure(message) -> list[str]:
    return [part.get_content_type() for part in message.walk()]


def _html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _part(message, content_type: str):
    [part] = [part for part in message.walk() if part.get_content_type() == content_type]
    return part


def _scanned(png: bytes) -> list[str]:
    """What a scanner reads from the image, as the door's would."""
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1, "the ticket is one page"
    return reader.pages[0].extract_text()


def _parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


@both_databases
def test_the_confirmation_shows_the_qr_code_inside_itself_and_attaches_the_ticket(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(title="Symposium on Intelligent Microsystems", slug="microsystems-2027")
    registration = services.register(event, applicant(1, name="Anna Schmidt", email="anna@example.org"))
    [message] = smtp_sink.to("anna@example.org")
    assert _structure(message) == TICKET_EMAIL

    html = _html(message)
    [cid] = re.findall(r'<img src="cid:([^"]+)"', html)
    image = _part(message, "image/png")
    assert image["Content-ID"] == f"<{cid}>"
    assert image.get_content_disposition() == "inline"
    assert _scanned(image.get_content()) == [registration.checkin_code], "what the desk looks up"
    assert registration.checkin_code_shown in html, "the code beside the image, to read out"
    assert not re.search(r'<img[^>]+src="https?:', html), "no remote image, which Gmail and Outlook block"
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert f"Your check-in code: {registration.checkin_code_shown}" in _text(message)

    ticket = _part(message, "application/pdf")
    assert ticket.get_content_disposition() == "attachment"
    assert ticket.get_filename() == "ticket-microsystems-2027.pdf"
    printed = _pdf_text(ticket.get_content())
    assert "Anna Schmidt" in printed and registration.checkin_code_shown in printed
    assert "Symposium on Intelligent Microsystems" in printed


@pytest.mark.parametrize(("name", "locale"), [("Иван Петров", "ru"), ("李伟", "zh")])
def test_a_name_in_cyrillic_or_chinese_prints_on_the_ticket(app, smtp_sink, name, locale):
    app.config.update(smtp_sink.config())
    registration = services.register(make_event(), applicant(1, name=name, locale=locale))
    [message] = smtp_sink.messages
    printed = _pdf_text(_part(message, "application/pdf").get_content())
    assert name in printed
    assert registration.checkin_code_shown in printed


def test_an_online_event_s_confirmation_has_no_qr_code_and_no_ticket(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(mode=EventMode.online, venue="", meeting_url="https://meet.example.org/room")
    services.register(event, applicant(1))
    [message] = smtp_sink.messages
    assert _structure(message) == NO_TICKET_EMAIL
    assert "cid:" not in _html(message) and "check-in code" not in _text(message).lower()


def test_a_waiting_person_gets_no_ticket_until_promoted_then_the_promotion_carries_it(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(capacity=1)
    first = services.register(event, applicant(1))
    waiting = services.register(event, applicant(2))
    [waitlisted] = smtp_sink.to("attendee2@example.org")
    assert _structure(waitlisted) == ["multipart/alternative", "text/plain", "text/html"]

    services.cancel_registration(first.id)
    _waitlisted, promotion = smtp_sink.to("attendee2@example.org")
    assert promotion["Subject"] == f"A seat is yours: {event.title}"
    assert _structure(promotion) == TICKET_EMAIL
    assert _scanned(_part(promotion, "image/png").get_content()) == [waiting.checkin_code]
    assert waiting.checkin_code_shown in _pdf_text(_part(promotion, "application/pdf").get_content())


def _sent_again(app, smtp_sink) -> None:
    """As after a worker died between sending and recording: the sweep releases the row and it goes again."""
    app.config.update(smtp_sink.config(), MAIL_SENDING_TIMEOUT_SECONDS=0, MAIL_SWEEP_GRACE_SECONDS=0)
    db.session.execute(sa.update(OutboundEmail).values(state=EmailState.sending,
                                                       claimed_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    assert outbox.sweep() == 1


def _parts_by_type(message) -> dict[str, bytes]:
    return {part.get_content_type(): part.get_content() for part in message.walk()
            if not part.is_multipart()}


def test_a_retried_delivery_sends_the_very_same_ticket_and_image(app, smtp_sink):
    app.config.update(smtp_sink.config())
    services.register(make_event(), applicant(1, name="Иван Петров", locale="ru"))
    _sent_again(app, smtp_sink)
    first, again = smtp_sink.messages
    assert _structure(again) == _structure(first) == TICKET_EMAIL
    assert _parts_by_type(again) == _parts_by_type(first)
    assert _part(again, "image/png")["Content-ID"] == _part(first, "image/png")["Content-ID"]


def test_the_eml_file_of_the_embedded_default_holds_the_same_message_as_smtp_gets(app, mail_dir, smtp_sink):
    services.register(make_event(), applicant(1, name="李伟", locale="zh"))
    [eml] = list(mail_dir.glob("*.eml"))
    written = _parsed(eml.read_bytes())
    _sent_again(app, smtp_sink)
    [received] = smtp_sink.messages
    assert _structure(written) == _structure(received) == TICKET_EMAIL
    assert _parts_by_type(written) == _parts_by_type(received)


def test_a_registration_cancelled_before_its_confirmation_went_gets_it_without_a_ticket(app, smtp_sink):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens: the email waits
    registration = services.register(make_event(), applicant(1))
    confirmation = db.session.scalars(sa.select(OutboundEmail)).one()
    services.cancel_registration(registration.id)
    app.config.update(smtp_sink.config())
    db.session.execute(sa.update(OutboundEmail).values(next_attempt_at=OutboundEmail.created_at))
    db.session.commit()
    delivery.deliver([confirmation.id])
    [message] = [m for m in smtp_sink.messages if m["Subject"].startswith("Registration confirmed")]
    assert "application/pdf" not in _structure(message) and "image/png" not in _structure(message)
    db.session.refresh(confirmation)
    assert confirmation.state is EmailState.sent, "sent without the ticket rather than failing"
