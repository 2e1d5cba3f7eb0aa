"""An organiser reads the outbox: which email, to whom, about what, when (in the event's zone); opens one."""

import base64
import re
from datetime import timedelta

import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.mail.kinds import kind_named, registered_names
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration import services
from tests.conftest import both_databases
from tests.factories import applicant, make_event, make_organiser, sign_in

ORGANISER = "organiser@example.org"


def _signed_in(app, email: str, *events, admin: bool = False):
    make_organiser(email, *events, admin=admin)
    client = app.test_client()
    sign_in(client, email)
    return client


def _page(client, url: str, status: int = 200) -> str:
    answer = client.get(url)
    assert answer.status_code == status, (url, answer.status_code)
    return answer.get_data(as_text=True)


def _email_of(event) -> OutboundEmail:
    """The one email the event's outbox holds."""
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.event_id == event.id)).one()


def _stored(event, *, subject=None, html=None, state=EmailState.sent, kind="registration_confirmed",
            error=None) -> int:
    """An outbox row written as the worker would have left it, rendered or not."""
    email = OutboundEmail(kind=kind, recipient="guest@example.org", idempotency_key=f"test:{kind}:{subject}",
                          event_id=event.id if event else None, state=state, subject=subject, html_body=html,
                          text_body="Plain words" if html else None, last_error=error,
                          attempts=1 if error else 0, created_at=utcnow() - timedelta(hours=1),
                          sent_at=utcnow() if state is EmailState.sent else None)
    db.session.add(email)
    db.session.commit()
    return email.id


@both_databases
def test_an_organiser_reads_each_email_by_its_kind_subject_and_time_in_the_event_s_zone(app):
    event = make_event(title="Orbital Mechanics Forum", timezone="Asia/Shanghai")
    services.register(event, applicant(1))
    client = _signed_in(app, ORGANISER, event)

    html = _page(client, f"/manage/events/{event.id}/outbox?state=sent")
    row = re.search(r'<tr data-email-id="\d+">.*?</tr>', html, re.S).group(0)
    assert "Registration confirmed" in row and "registration_confirmed<" not in row
    assert "Registration confirmed: Orbital Mechanics Forum" in row, "the subject"
    assert "Beijing time (GMT+08:00)" in row and "UTC" not in row
    assert ">Sent<" in row
    assert 'class="table-scroll"' in html, "a wide table scrolls on a phone rather than the page"

    client.get("/language/ru?next=/")
    russian = _page(client, f"/manage/events/{event.id}/outbox?state=sent")
    assert "Пекин" in russian, "the zone's place in the page's language"


def test_a_kind_nobody_registered_still_gets_a_readable_name(app):
    event = make_event()
    _stored(event, subject="Old news", kind="retired_newsletter")
    client = _signed_in(app, ORGANISER, event)
    assert "Retired newsletter" in _page(client, f"/manage/events/{event.id}/outbox?state=sent")


@both_databases
def test_opening_an_email_shows_its_facts_and_its_html_in_a_sandboxed_frame_of_its_own(app):
    event = make_event(title="Orbital Mechanics Forum", timezone="Europe/Moscow")
    services.register(event, applicant(1))
    email = _email_of(event)
    client = _signed_in(app, ORGANISER, event)

    page = _page(client, f"/manage/events/{event.id}/outbox/{email.id}")
    assert "Registration confirmed: Orbital Mechanics Forum" in page
    assert email.recipient in page and "Moscow time" in page
    assert re.search(r'id="email-state">\s*<span[^>]*>Sent<', page)
    frame = re.search(r'<iframe[^>]*id="email-html"[^>]*>', page).group(0)
    assert " sandbox " in frame and f'src="/manage/events/{event.id}/outbox/{email.id}/html"' in frame
    assert page.count("<html") == 1, "the email's own document is not markup inside our page"
    assert "Dear" in page, "the plain-text version is on the page"

    document = client.get(f"/manage/events/{event.id}/outbox/{email.id}/html")
    assert document.status_code == 200 and document.mimetype == "text/html"
    policy = document.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "sandbox" in policy
    assert document.headers["X-Frame-Options"] == "SAMEORIGIN"
    shown = document.get_data(as_text=True)
    # The QR code the message carries as a part (cid:) is shown inline, as the mail program shows it.
    assert 'src="cid:' in email.html_body and "cid:" not in shown
    data_image = re.search(r'src="data:image/png;base64,([^"]+)"', shown).group(1)
    assert shown == email.html_body.replace(re.search(r'src="(cid:[^"]+)"', email.html_body).group(1),
                                            f"data:image/png;base64,{data_image}")
    assert base64.b64decode(data_image).startswith(b"\x89PNG")


def test_a_subject_written_as_a_script_is_shown_as_text(app):
    event = make_event()
    email_id = _stored(event, subject="<script>alert(1)</script>", html="<html><body>Hi</body></html>")
    client = _signed_in(app, ORGANISER, event)
    outbox = f"/manage/events/{event.id}/outbox"
    for url in (f"{outbox}?state=sent", f"{outbox}/{email_id}"):
        page = _page(client, url)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


def test_an_email_not_prepared_yet_says_so(app):
    event = make_event()
    email_id = _stored(event, state=EmailState.queued)
    client = _signed_in(app, ORGANISER, event)
    assert "not prepared yet" in _page(client, f"/manage/events/{event.id}/outbox?state=queued")
    page = _page(client, f"/manage/events/{event.id}/outbox/{email_id}")
    assert "This email is not prepared yet" in page and "<iframe" not in page
    assert client.get(f"/manage/events/{event.id}/outbox/{email_id}/html").status_code == 404


def test_a_failed_email_says_why_in_plain_words_and_keeps_the_server_s_own(app):
    event = make_event()
    email_id = _stored(event, subject="Welcome", html="<p>Hi</p>", state=EmailState.failed,
                       error="550 5.1.1 <guest@example.org>: user unknown")
    client = _signed_in(app, ORGANISER, event)
    page = _page(client, f"/manage/events/{event.id}/outbox/{email_id}")
    assert "The recipient&#39;s mail server refused it: the address may be wrong" in page
    assert "550 5.1.1 &lt;guest@example.org&gt;: user unknown" in page


@both_databases
def test_another_organiser_cannot_open_my_event_s_emails(app):
    mine, theirs = make_event(), make_event()
    email_id = _stored(mine, subject="Private", html="<p>Secret programme</p>")
    client = _signed_in(app, "other@example.org", theirs)
    for path in ("", "/html"):
        assert client.get(f"/manage/events/{mine.id}/outbox/{email_id}{path}").status_code == 403
        assert client.get(f"/manage/events/{theirs.id}/outbox/{email_id}{path}").status_code == 404
        assert client.get(f"/manage/outbox/{email_id}{path}").status_code == 403


@both_databases
def test_an_organiser_at_the_office_outbox_sees_only_the_emails_of_their_events(app):
    mine, theirs = make_event(title="My Forum"), make_event(title="Their Forum")
    my_email = _stored(mine, subject="Mine", html="<p>x</p>", state=EmailState.failed, error="554 no")
    _stored(theirs, subject="Theirs", html="<p>y</p>", state=EmailState.failed, error="554 no")
    client = _signed_in(app, ORGANISER, mine)

    html = _page(client, "/manage/outbox")
    assert re.findall(r'data-email-id="(\d+)"', html) == [str(my_email)]
    assert "Their Forum" not in html and "Theirs" not in html
    assert f'href="/manage/events/{mine.id}/outbox/{my_email}"' in html, "opened through its event's pages"
    assert f'action="/manage/events/{mine.id}/outbox/{my_email}/resend"' in html
    assert "Send all failed emails again" not in html


def test_the_admin_sees_each_email_in_its_event_s_zone_and_others_in_utc(app):
    event = make_event(timezone="Asia/Shanghai")
    _stored(event, subject="Of the event", html="<p>x</p>")
    office_email = _stored(None, subject="Your webhook endpoint was turned off", html="<p>y</p>",
                           kind="webhook_endpoint_disabled")
    client = _signed_in(app, "head@example.org", admin=True)
    html = _page(client, "/manage/outbox?state=sent")
    rows = dict(re.findall(r'<tr data-email-id="(\d+)">(.*?)</tr>', html, re.S))
    assert "UTC time" in rows[str(office_email)] and "Webhook turned off" in rows[str(office_email)]
    assert "Beijing time" in rows[str(office_email - 1)]
    page = _page(client, f"/manage/outbox/{office_email}")
    assert "UTC time" in page and 'src="/manage/outbox/' in page


def test_organiser_pages_speak_no_developer_words_in_the_embedded_default(app):
    event = make_event()
    email_id = _stored(event, subject="Welcome", html="<p>Hi</p>")
    # An email due ten minutes ago brings the banner about mail not going out.
    db.session.add(OutboundEmail(kind="reminder", recipient="late@example.org", idempotency_key="late",
                                 event_id=event.id, next_attempt_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    client = _signed_in(app, ORGANISER, event)
    pages = [_page(client, url) for url in ("/manage/", "/manage/outbox", f"/manage/events/{event.id}/outbox",
                                            f"/manage/events/{event.id}/outbox/{email_id}")]
    assert 'id="mail-banner"' in pages[0] and "The oldest email has been waiting since" in pages[0]
    assert "Emails are sent by this server itself." in pages[2]
    for page in pages:
        assert "REDIS_URL" not in page and "celery" not in page.lower() and "worker" not in page.lower()


def test_every_kind_of_email_has_a_label_for_the_organisers(app):
    unlabelled = [name for name in registered_names() if kind_named(name).label is None]
    assert unlabelled == [], "give each kind a label=_l(...) in its domain's emails.py"
