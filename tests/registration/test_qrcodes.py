"""The check-in code an attendee carries: on their page, as an image for emails, and in the emails."""

import email
import re
from email import policy

import segno

from eventsys.registration import handling, qrcodes, services
from tests.conftest import both_databases
from tests.factories import applicant, make_event

PATH_DATA = re.compile(r'class="qrline"[^>]* d="([^"]+)"')


def _path_data(svg: str) -> str:
    [path] = PATH_DATA.findall(svg)
    return path


def _expected_path_data(content: str) -> str:
    """What a QR code of just this content looks like, built here without the app's code."""
    return _path_data(segno.make_qr(content, error="m").svg_inline(scale=6))


def _emails(mail_dir, to: str) -> list[email.message.EmailMessage]:
    """The messages the in-process delivery wrote for one recipient, oldest first."""
    messages = [email.message_from_bytes(path.read_bytes(), policy=policy.default)
                for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)]
    return [m for m in messages if m["To"] == to]


def _parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


@both_databases
def test_a_confirmed_attendee_s_page_shows_a_qr_code_of_their_check_in_code_and_the_code_in_text(app, client):
    registration = services.register(make_event(), applicant(1))
    page = client.get(f"/r/{registration.token}").get_data(as_text=True)
    assert "Your check-in code" in page
    assert _path_data(page) == _expected_path_data(registration.checkin_code)
    assert f'<code id="check-in-text">{registration.checkin_code_shown}</code>' in page
    other = services.register(make_event(), applicant(2))
    assert _path_data(page) != _expected_path_data(other.checkin_code), "each code draws its own image"


def test_the_qr_code_is_a_regular_qr_code_even_for_a_short_token():
    from eventsys.registration import qrcodes

    svg = qrcodes.svg_inline("abc")
    assert svg.startswith("<svg") and "<script" not in svg
    assert _path_data(svg) == _expected_path_data("abc"), "not a Micro QR, which many scanners do not read"


def test_people_waiting_pending_or_cancelled_see_no_code_but_a_sentence(app, client):
    event = make_event(capacity=1)
    services.register(event, applicant(1))
    waiting = services.register(event, applicant(2))
    pending = services.register(make_event(requires_approval=True), applicant(3))
    cancelled = services.register(make_event(), applicant(4))
    services.cancel_registration(cancelled.id)
    for registration, sentence in [
        (waiting, "Your check-in code appears here once your seat is confirmed."),
        (pending, "Your check-in code appears here once your seat is confirmed."),
        (cancelled, "A cancelled registration has no check-in code."),
    ]:
        page = client.get(f"/r/{registration.token}").get_data(as_text=True)
        assert sentence in page
        assert "<svg" not in page and registration.token not in page.replace(f"/r/{registration.token}", "")


@both_databases
def test_the_qr_image_is_served_only_for_a_confirmed_registration(app, client):
    event = make_event(capacity=1)
    seated = services.register(event, applicant(1))
    waiting = services.register(event, applicant(2))

    image = client.get(f"/r/{seated.token}/qr.png")
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert image.headers["Cache-Control"].startswith("private")
    assert "default-src 'none'" in image.headers["Content-Security-Policy"]
    assert image.get_data() == qrcodes.png_document(seated.checkin_code)
    assert image.get_data().startswith(b"\x89PNG")
    assert image.get_data() != qrcodes.png_document(waiting.checkin_code)

    assert client.get(f"/r/{waiting.token}/qr.png").status_code == 404
    assert client.get("/r/no-such-token/qr.png").status_code == 404
    assert client.get("/r/not%20a%20token!/qr.png").status_code == 404
    services.cancel_registration(seated.id)
    assert client.get(f"/r/{seated.token}/qr.png").status_code == 404
    assert client.get(f"/r/{waiting.token}/qr.png").status_code == 200, "moved up into the freed seat"


def _inline_images(message) -> dict[str, bytes]:
    """The images a message carries inside itself, by Content-ID (without its angle brackets)."""
    return {part["Content-ID"].strip("<>"): part.get_content() for part in message.walk()
            if part.get_content_type() == "image/png" and part["Content-ID"]}


def test_the_confirmation_email_shows_the_check_in_code_as_an_image_inside_it_and_as_text(app, mail_dir):
    registration = services.register(make_event(), applicant(1, email="li.wei@example.org"))
    [message] = _emails(mail_dir, "li.wei@example.org")
    text, html = _parts(message)
    assert f"Your check-in code: {registration.checkin_code_shown}" in text
    [cid] = re.findall(r'<img src="cid:([^"]+)" alt="Check-in code"', html)
    assert _inline_images(message)[cid] == qrcodes.png_document(registration.checkin_code)
    assert f">{registration.checkin_code_shown}</code>" in html, "in text beside it, to read out"
    assert "http://events.test/qr/" not in html, "no remote image, which mail programs block"


def test_the_promotion_email_and_the_approval_email_carry_the_check_in_code(app, mail_dir):
    event = make_event(capacity=1)
    first = services.register(event, applicant(1))
    promoted = services.register(event, applicant(2))
    services.cancel_registration(first.id)
    *_, message = _emails(mail_dir, "attendee2@example.org")
    text, html = _parts(message)
    assert message["Subject"] == f"A seat is yours: {event.title}"
    assert f"Your check-in code: {promoted.checkin_code_shown}" in text
    [cid] = re.findall(r'src="cid:([^"]+)"', html)
    assert _inline_images(message)[cid] == qrcodes.png_document(promoted.checkin_code)

    approved = services.register(make_event(requires_approval=True), applicant(3))
    handling.approve(approved.event_id, approved.id)
    *_, message = _emails(mail_dir, "attendee3@example.org")
    assert f"Your check-in code: {approved.checkin_code_shown}" in _parts(message)[0]
    assert list(_inline_images(message).values()) == [qrcodes.png_document(approved.checkin_code)]


def test_emails_of_people_without_a_seat_carry_no_check_in_code(app, mail_dir):
    event = make_event(capacity=1)
    services.register(event, applicant(1))
    waiting = services.register(event, applicant(2))
    [message] = _emails(mail_dir, "attendee2@example.org")
    assert waiting.token not in _parts(message)[0].replace(f"/r/{waiting.token}", "")
    assert "qr.png" not in message.as_string() and not _inline_images(message)


def test_the_qr_image_address_of_emails_sent_before_still_shows_and_opens_nothing_else(app, client):
    """Emails sent before images were inline point at /qr/<signed>.png: it still answers, and only that."""
    registration = services.register(make_event(), applicant(1, email="li.wei@example.org"))
    signed = qrcodes.image_link_token(registration.id)
    path = f"/qr/{signed}.png"

    assert registration.token not in path
    image = client.get(path)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.get_data() == qrcodes.png_document(registration.checkin_code)
    assert client.get(f"/r/{signed}").status_code == 404
    assert client.post(f"/r/{signed}/cancel").status_code in (400, 404)
    # Altered, it shows nothing.
    assert client.get(path.replace(".png", "x.png")).status_code == 404
