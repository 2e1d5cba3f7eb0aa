"""What each recipient gets, to speakers too; how the copies are written; and the list of sent messages."""

import email
import threading
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.messages import services as messages
from eventsys.messages.models import Audience, Mailing
from eventsys.registration import services
from eventsys.registration.models import Registration
from eventsys.speakers.models import Engagement, InvitationStatus, Speaker, SpeakerRole
from tests.conftest import both_databases
from tests.factories import applicant, make_event
from tests.messages.composing import preview, send, signed_in_organiser
from tests.querycount import counting_statements


def _emails_to(mail_dir, recipient: str) -> list[email.message.EmailMessage]:
    """The messages the in-process delivery wrote for one recipient."""
    messages_ = [email.message_from_bytes(path.read_bytes(), policy=policy.default)
                 for path in sorted(mail_dir.glob("*.eml"))]
    return [m for m in messages_ if m["To"] == recipient]


def _parts(message) -> tuple[str, str]:
    """The text and HTML bodies, with the wire's CRLF line ends made plain."""
    return tuple(message.get_body(preferencelist=(kind,)).get_content().replace("\r\n", "\n")
                 for kind in ("plain", "html"))


def _registrants(event_id: int, count: int) -> None:
    """Confirmed registrations written directly: these tests are about the mail, not the seats."""
    now = utcnow() - timedelta(days=1)
    db.session.execute(sa.insert(Registration), [
        {"event_id": event_id, "name": f"Attendee {n}", "email": f"attendee{n}@example.org", "country": "RU",
         "category": "faculty", "answers": {}, "status": "confirmed", "token": f"token-{event_id}-{n}",
         "locale": "en", "created_at": now, "consented_at": now}
        for n in range(count)
    ])
    db.session.commit()


def test_a_script_in_the_message_arrives_escaped_with_line_breaks_and_the_registrant_s_link(app, mail_dir):
    event = make_event(title="Symposium on Smart Materials")
    registration = services.register(event, applicant(1, name="Li Wei"))
    client = signed_in_organiser(app, event)
    body = "Hello <script>alert('x')</script>\nSecond line\n\nNew paragraph & more"
    fields = {"subject": "Room <changed>", "body": body}
    send(client, event.id, preview(client, event.id, **fields), **fields)
    [message] = [m for m in _emails_to(mail_dir, "attendee1@example.org") if m["Subject"] == "Room <changed>"]
    text, html = _parts(message)
    assert "<script>" not in html
    assert "Hello &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<br>Second line</p>" in html
    assert "<p>New paragraph &amp; more</p>" in html
    assert "<p>Dear Li Wei,</p>" in html
    assert f'href="http://events.test/r/{registration.token}"' in html
    assert text.startswith("Dear Li Wei,\n\nHello <script>alert('x')</script>\nSecond line\n\nNew paragraph")
    assert "Symposium on Smart Materials" in text and "Main Building, Harbin" in text
    assert f"See or cancel your registration: http://events.test/r/{registration.token}" in text


def _speaker(name: str, email_: str | None, event, standing: InvitationStatus | None, title: str = "Prof."):
    speaker = Speaker(name=name, title=title, email=email_, country="RU")
    db.session.add(speaker)
    db.session.flush()
    db.session.add(Engagement(speaker_id=speaker.id, event_id=event.id, role=SpeakerRole.invited_talk,
                              invitation_status=standing))
    db.session.commit()
    return speaker


@both_databases
def test_speakers_are_chosen_by_their_standing_and_those_without_email_are_left_out(app, mail_dir):
    event = make_event()
    _speaker("Irina Volkova", "volkova@example.org", event, InvitationStatus.accepted)
    _speaker("Chen Jie", "chen@example.org", event, None, title="Academician")
    _speaker("Anna Petrova", None, event, InvitationStatus.accepted)
    _speaker("Oleg Sidorov", "sidorov@example.org", event, InvitationStatus.invited)
    _speaker("Maria Ivanova", "ivanova@example.org", event, InvitationStatus.declined)
    _speaker("Elsewhere Speaker", "elsewhere@example.org", make_event(), InvitationStatus.accepted)
    services.register(event, applicant(1))
    client = signed_in_organiser(app, event)

    fields = {"audience": "speakers", "speakers": ["accepted", "direct"], "statuses": []}
    page = preview(client, event.id, **fields)
    html = page.get_data(as_text=True)
    assert "will go to <strong>2</strong>" in html
    assert "1 matching speaker has\n      no email address" in html
    assert "registration" not in html.split('id="preview-text"', 1)[1].split("</pre>", 1)[0]
    assert send(client, event.id, page, **fields).status_code == 303

    rows = db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.kind == "mailing")).all()
    assert sorted(row.recipient for row in rows) == ["chen@example.org", "volkova@example.org"]
    assert all(row.event_id == event.id and row.registration_id is None for row in rows)
    [message] = _emails_to(mail_dir, "chen@example.org")
    text, html = _parts(message)
    assert text.startswith("Dear Academician Chen Jie,\n\nThe bus leaves at 8:00.")
    assert "Main Building, Harbin" in text and "/r/" not in text
    assert db.session.scalars(sa.select(Mailing)).one().audience is Audience.speakers


@both_databases
def test_a_mailing_to_300_registrants_is_one_insert_and_the_worker_gets_them_all(app, mail_dir):
    event = make_event(capacity=None)
    _registrants(event.id, 300)
    draft = messages.Draft(event.id, Audience.registrants, {"statuses": ["confirmed"]}, "Hello", "Dear all")
    assert messages.reach(draft).recipients == 300
    with counting_statements() as statements:
        mailing, sent_now = messages.send(draft, messages.new_send_id(), 300, None)
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO OUTBOUND_EMAIL")]
    assert len(inserts) == 1
    assert (sent_now, mailing.recipient_count) == (True, 300)
    states = db.session.execute(sa.select(OutboundEmail.state, sa.func.count()).group_by(OutboundEmail.state))
    assert dict(states.all()) == {EmailState.sent: 300}, "the in-process mode delivered them after the commit"
    assert len(list(mail_dir.glob("*.eml"))) == 300


def test_the_list_of_messages_shows_each_one_s_delivery_progress(app):
    event = make_event(capacity=None)
    _registrants(event.id, 4)
    client = signed_in_organiser(app, event)
    send(client, event.id, preview(client, event.id, subject="First"), subject="First")
    second = send(client, event.id, preview(client, event.id, subject="Second"), subject="Second")
    first_id, second_id = db.session.scalars(sa.select(Mailing.id).order_by(Mailing.id)).all()
    # One copy of the first failed for good, one of the second waits for a retry.
    db.session.execute(sa.update(OutboundEmail).where(OutboundEmail.recipient == "attendee0@example.org",
                                                      OutboundEmail.subject == "First")
                       .values(state=EmailState.failed, last_error="550 no such user"))
    db.session.execute(sa.update(OutboundEmail).where(OutboundEmail.recipient == "attendee1@example.org",
                                                      OutboundEmail.subject == "Second")
                       .values(state=EmailState.queued))
    db.session.commit()
    event_id = event.id

    with counting_statements() as statements:
        progress = messages.delivery_progress(event_id)
    assert len(statements) == 1
    assert progress == {first_id: {"sent": 3, "failed": 1}, second_id: {"sent": 3, "waiting": 1}}
    html = client.get(second.location).get_data(as_text=True)
    first_row = html.split(f'data-mailing-id="{first_id}"', 1)[1].split("</tr>", 1)[0]
    assert "First" in first_row and '<td class="failed">1</td>' in first_row
    assert '<td class="recipients">4</td>' in first_row and '<td class="sent">3</td>' in first_row
    assert html.index(f'data-mailing-id="{second_id}"') < html.index(f'data-mailing-id="{first_id}"')


@pytest.mark.parametrize("app", ["postgresql", "sqlite"], indirect=True)
def test_two_clicks_on_send_at_the_same_moment_queue_each_copy_once(app):
    event = make_event(capacity=None)
    _registrants(event.id, 200)
    draft = messages.Draft(event.id, Audience.registrants, {"statuses": ["confirmed"]}, "Hello", "Dear all")
    send_id = messages.new_send_id()
    outcomes, errors = [], []
    start = threading.Barrier(2)

    def click():
        with app.app_context():
            try:
                start.wait()
                mailing, sent_now = messages.send(draft, send_id, 200, None)
                outcomes.append((mailing.id, sent_now))
            except Exception as problem:  # noqa: BLE001 - reported by the assertion below
                errors.append(problem)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(sent for _, sent in outcomes) == [False, True]
    assert len({mailing_id for mailing_id, _ in outcomes}) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundEmail)) == 200
