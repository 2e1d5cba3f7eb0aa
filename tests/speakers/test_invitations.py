"""Inviting a speaker: the email they receive, the page its links open, and the answer the organiser hears."""

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous.timed import TimestampSigner

from eventsys import tokens
from eventsys.database import db, utcnow
from eventsys.events.lifecycle import cancel_event
from eventsys.events.models import EventMode, EventStatus, ProgrammeItem
from eventsys.mail.models import OutboundEmail
from eventsys.speakers import invitation_links, invitations
from eventsys.speakers.models import Engagement, Institution, InvitationStatus, Speaker, SpeakerRole
from tests.conftest import both_databases
from tests.factories import make_event
from tests.formpage import read_form

ORGANISER = "organiser@astro.example.edu"
SPEAKER = "leng@hit.example.edu"


def _speaker(email: str | None = SPEAKER) -> Speaker:
    speaker = Speaker(name="Jinsong Leng", title="Academician", email=email, country="CN",
                      institution=Institution(name="Harbin Institute of Technology", country="CN"))
    db.session.add(speaker)
    db.session.commit()
    return speaker


def _invite(speaker, event, **overrides) -> Engagement:
    values = dict(role="keynote", message="We would love to hear about shape-memory polymers.",
                  invited_by_email=ORGANISER)
    values.update(overrides)
    return invitations.invite_speaker(speaker.id, event.id, **values)


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _subject(message) -> str:
    # The stdlib folds a long Subject onto its own continuation line and parses it back with a leading space.
    return message["Subject"].strip()


def _link(message, answer: str) -> str:
    return re.search(rf"^{answer}: (\S+)", _text(message), re.MULTILINE).group(1)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _status(engagement_id: int) -> InvitationStatus | None:
    return db.session.scalar(sa.select(Engagement.invitation_status).where(Engagement.id == engagement_id))


def _answer(client, link: str, button: str, note: str = ""):
    """Open the link as the speaker would, and press a button of the real form."""
    page = client.get(link)
    assert page.status_code == 200, page.text
    form = read_form(page.text)
    return client.post(link, data={"csrf_token": form.fields["csrf_token"], "note": note, button: button})


@both_databases
def test_the_speaker_accepts_from_the_email_and_the_organiser_hears_it_once(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(title="Symposium on Intelligent Microsystems", mode=EventMode.hybrid,
                       meeting_url="https://meet.example.org/secret-room")
    engagement = _invite(_speaker(), event)

    [invitation] = smtp_sink.to(SPEAKER)
    assert _subject(invitation) == "Invitation to speak at Symposium on Intelligent Microsystems"
    text = _text(invitation)
    assert text.startswith("Dear Academician Jinsong Leng,")
    assert "as keynote speaker at" in text
    assert "We would love to hear about shape-memory polymers." in text
    assert "Beijing time (GMT+08:00)" in text and "Main Building, Harbin, and online" in text
    assert "secret-room" not in invitation.as_string()
    accept_link = _link(invitation, "Accept")
    assert accept_link.startswith("http://events.test/invitations/")
    assert accept_link in invitation.get_body(preferencelist=("html",)).get_content().replace("&amp;", "&")

    page = client.get(accept_link)
    assert page.status_code == 200
    assert "Symposium on Intelligent Microsystems" in page.text and "keynote speaker" in page.text
    assert "shape-memory polymers" in page.text and "secret-room" not in page.text
    csrf_token = read_form(page.text).fields["csrf_token"]
    note = "Happy to come; I will need a projector."
    response = client.post(accept_link, data={"csrf_token": csrf_token, "note": note, "accept": "Accept"})
    assert response.status_code == 303
    after = client.get(response.headers["Location"])
    assert "You accepted this invitation on" in after.text and "I will need a projector." in after.text
    db.session.expire_all()
    assert _status(engagement.id) is InvitationStatus.accepted

    [notice] = smtp_sink.to(ORGANISER)
    assert _subject(notice) == "Academician Jinsong Leng accepted: Symposium on Intelligent Microsystems"
    assert "Happy to come; I will need a projector." in _text(notice)
    assert "secret-room" not in notice.as_string()
    assert "/invitations/" not in notice.as_string(), "the answer links are for the speaker alone"

    # The first answer stands: pressing Decline in a tab still open changes and tells nothing.
    again = client.post(accept_link, data={"csrf_token": csrf_token, "decline": "Decline"})
    assert again.status_code == 409
    assert "You already accepted this invitation on" in again.text
    db.session.expire_all()
    assert _status(engagement.id) is InvitationStatus.accepted
    assert len(smtp_sink.to(ORGANISER)) == 1


def test_the_speaker_declines_with_a_note_from_the_decline_link(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(title="Forum on Space Robotics")
    engagement = _invite(_speaker(), event, role="panel", message="")
    [invitation] = smtp_sink.to(SPEAKER)
    assert "as panellist at" in _text(invitation)
    assert "personal message" not in _text(invitation)
    decline_link = _link(invitation, "Decline")
    assert "You chose to decline" in client.get(decline_link).text

    response = _answer(client, decline_link, "decline", note="I am teaching that week, sorry.")
    assert response.status_code == 303
    assert "You declined this invitation on" in client.get(response.headers["Location"]).text
    db.session.expire_all()
    assert _status(engagement.id) is InvitationStatus.declined
    [notice] = smtp_sink.to(ORGANISER)
    assert _subject(notice) == "Academician Jinsong Leng declined: Forum on Space Robotics"
    assert "I am teaching that week, sorry." in _text(notice)


def test_an_answer_without_the_csrf_token_is_refused(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    engagement = _invite(_speaker(), make_event())
    accept_link = _link(smtp_sink.to(SPEAKER)[0], "Accept")
    client.get(accept_link)
    response = client.post(accept_link, data={"accept": "Accept"})
    assert response.status_code == 400
    assert "form has expired" in response.text
    assert _status(engagement.id) is InvitationStatus.invited
    assert smtp_sink.to(ORGANISER) == []


def test_a_tampered_or_made_up_link_finds_nothing(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    _invite(_speaker(), make_event())
    accept_link = _link(smtp_sink.to(SPEAKER)[0], "Accept")
    token = accept_link.split("/invitations/")[1].split("?")[0]
    tampered = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    for bad in (tampered, "12", "not-a-token"):
        response = client.get(f"/invitations/{bad}")
        assert response.status_code == 404
        assert "This invitation link is not valid" in response.text


def test_a_token_signed_for_another_purpose_is_refused(app, client):
    engagement = _invite(_speaker(), make_event())
    token = tokens.make_token("registration", {"engagement": engagement.id})
    assert client.get(f"/invitations/{token}").status_code == 404


def test_an_expired_invitation_says_so_and_is_marked_expired(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    month_ago = utcnow() - timedelta(days=31)
    engagement = _invite(_speaker(), make_event(), now=month_ago)
    accept_link = _link(smtp_sink.to(SPEAKER)[0], "Accept")
    response = client.get(accept_link)
    assert response.status_code == 410
    assert "This invitation has expired" in response.text and ORGANISER in response.text
    db.session.expire_all()
    assert _status(engagement.id) is InvitationStatus.expired
    with pytest.raises(invitations.InvitationExpired):
        invitations.answer_invitation(engagement.id, accept=True)
    assert smtp_sink.to(ORGANISER) == []


def test_a_link_older_than_its_longest_life_is_expired_by_its_signature(app, client, monkeypatch):
    engagement = _invite(_speaker(), make_event(), now=utcnow() - timedelta(days=31))
    signed_at = int(time.time() - timedelta(days=31).total_seconds())
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
        token = invitation_links.invitation_token(engagement.id)
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 410 and "This invitation has expired" in response.text
    db.session.expire_all()
    assert _status(engagement.id) is InvitationStatus.expired


def test_an_invitation_to_an_event_cancelled_since_cannot_be_answered(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event()
    engagement = _invite(_speaker(), event)
    accept_link = _link(smtp_sink.to(SPEAKER)[0], "Accept")
    form = read_form(client.get(accept_link).text)
    cancel_event(event.id)
    response = client.post(accept_link, data={"csrf_token": form.fields["csrf_token"], "accept": "Accept"})
    assert response.status_code == 410 and "has been cancelled" in response.text
    assert client.get(accept_link).status_code == 410
    db.session.expire_all()
    assert _status(engagement.id) is InvitationStatus.invited
    assert smtp_sink.to(ORGANISER) == []


@both_databases
def test_inviting_again_makes_no_second_invitation_and_sends_nothing(app):
    speaker, event = _speaker(), make_event()
    first = _invite(speaker, event)
    second = _invite(speaker, event, role="panel", message="Another try.")
    assert second.id == first.id
    assert (second.role, second.invitation_message) == (SpeakerRole.keynote, first.invitation_message)
    assert _count(Engagement) == 1
    assert db.session.scalars(sa.select(OutboundEmail.idempotency_key)).all() == [
        f"speaker_invitation:engagement:{first.id}"
    ]


@both_databases
def test_an_invitation_sent_twice_at_the_same_moment_is_made_once(app, monkeypatch):
    speaker, event = _speaker(), make_event()
    looked_up = invitations.find_engagement

    def lose_the_race(*args):
        """The other request inserts its invitation between our look-up and our insert."""
        monkeypatch.setattr(invitations, "find_engagement", looked_up)
        with db.engine.begin() as other:
            other.execute(sa.insert(Engagement).values(
                speaker_id=speaker.id, event_id=event.id, role=SpeakerRole.keynote,
                invitation_status=InvitationStatus.invited, invited_at=utcnow(),
                invitation_expires_at=event.starts_at, invited_by_email="colleague@astro.example.edu",
            ))
        return None

    monkeypatch.setattr(invitations, "find_engagement", lose_the_race)
    engagement = _invite(speaker, event)
    assert engagement.invited_by_email == "colleague@astro.example.edu", "the first invitation stands"
    assert (_count(Engagement), _count(OutboundEmail)) == (1, 0)


@both_databases
def test_a_speaker_added_directly_is_turned_into_an_invitation(app):
    speaker, event = _speaker(), make_event()
    item = ProgrammeItem(event=event, title="Plenary session", starts_at=event.starts_at,
                         ends_at=event.starts_at + timedelta(hours=2))
    direct = Engagement(speaker=speaker, event=event, programme_item=item, role=SpeakerRole.panel)
    db.session.add(direct)
    db.session.commit()
    invited = _invite(speaker, event, programme_item_id=item.id, role="invited_talk")
    assert invited.id == direct.id
    assert (invited.invitation_status, invited.role) == (InvitationStatus.invited, SpeakerRole.invited_talk)
    assert _count(Engagement) == 1
    assert _count(OutboundEmail) == 1
    # The whole event is another engagement than one of its programme items.
    whole = _invite(speaker, event)
    assert whole.id != direct.id and whole.programme_item_id is None


@both_databases
def test_the_invitation_expires_after_30_days_or_at_the_start_if_sooner(app):
    now = utcnow().replace(microsecond=0)
    speaker = _speaker()
    later = _invite(speaker, make_event(starts_at=now + timedelta(days=90)), now=now)
    assert (later.invited_at, later.invitation_expires_at) == (now, now + timedelta(days=30))
    soon = make_event(starts_at=now + timedelta(days=5))
    assert _invite(speaker, soon, now=now).invitation_expires_at == soon.starts_at


@both_databases
def test_a_speaker_without_email_cannot_be_invited_and_nothing_is_written(app):
    speaker, event = _speaker(email=None), make_event()
    with pytest.raises(invitations.InvitationError, match="has no email address"):
        _invite(speaker, event)
    db.session.rollback()
    assert (_count(Engagement), _count(OutboundEmail)) == (0, 0)


@both_databases
def test_nobody_is_invited_to_a_cancelled_or_started_event(app):
    speaker = _speaker()
    cancelled = make_event(status=EventStatus.cancelled)
    with pytest.raises(invitations.InvitationError, match="has been cancelled"):
        _invite(speaker, cancelled)
    started = make_event(starts_at=utcnow() - timedelta(hours=1))
    with pytest.raises(invitations.InvitationError, match="has already started"):
        _invite(speaker, started)
    with pytest.raises(invitations.InvitationError, match="Unknown role"):
        _invite(speaker, make_event(), role="juggler")
    assert (_count(Engagement), _count(OutboundEmail)) == (0, 0)


@both_databases
def test_the_first_answer_stands_and_is_told_once(app):
    engagement = _invite(_speaker(), make_event())
    answered = invitations.answer_invitation(engagement.id, accept=False, note="  Not this year.  ")
    assert (answered.invitation_status, answered.answer_note) == (InvitationStatus.declined, "Not this year.")
    assert answered.answered_at is not None
    with pytest.raises(invitations.AlreadyAnswered) as already:
        invitations.answer_invitation(engagement.id, accept=True)
    assert already.value.engagement.invitation_status is InvitationStatus.declined
    notices = db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.kind == "invitation_answered"))
    [notice] = notices.all()
    assert notice.recipient == ORGANISER
    assert notice.context == {"engagement_id": engagement.id, "accepted": False, "note": "Not this year."}


@both_databases
def test_expiring_marks_only_unanswered_invitations_past_their_time(app):
    now = utcnow()
    speaker = _speaker()
    old = _invite(speaker, make_event(), now=now - timedelta(days=40))
    answered = _invite(speaker, make_event(), now=now - timedelta(days=40))
    db.session.execute(sa.update(Engagement).where(Engagement.id == answered.id)
                       .values(invitation_status=InvitationStatus.accepted))
    fresh = _invite(speaker, make_event(), now=now)
    assert invitations.expire_invitations(now) == 1
    assert invitations.expire_invitations(now) == 0
    assert [_status(e.id) for e in (old, answered, fresh)] == [
        InvitationStatus.expired, InvitationStatus.accepted, InvitationStatus.invited
    ]


def test_the_command_line_invites_once(app, runner):
    _speaker()
    event = make_event(title="Lecture on Orbital Debris")
    db.session.add(ProgrammeItem(event=event, title="Opening lecture", starts_at=event.starts_at,
                                 ends_at=event.starts_at + timedelta(hours=1)))
    db.session.commit()
    args = ["invite-speaker", SPEAKER.upper(), event.slug, "--role", "online_lecture",
            "--message", "Join us from Harbin or from afar.", "--by", ORGANISER, "--item", "opening lecture"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Invited Academician Jinsong Leng <leng@hit.example.edu> to Lecture on Orbital Debris" in (
        result.output
    )
    assert "as online lecturer" in result.output
    engagement = db.session.scalars(sa.select(Engagement)).one()
    assert engagement.programme_item.title == "Opening lecture"
    assert engagement.invitation_message == "Join us from Harbin or from afar."
    assert engagement.invited_by_email == ORGANISER

    again = runner.invoke(args=args)
    assert again.exit_code == 0 and "was already invited" in again.output and "nothing sent" in again.output
    assert _count(OutboundEmail) == 1

    unknown = runner.invoke(args=["invite-speaker", "nobody@example.org", event.slug, "--role", "keynote",
                                  "--by", ORGANISER])
    assert unknown.exit_code == 1 and "No speaker has the email address nobody@example.org" in unknown.output


def test_a_form_sent_without_choosing_asks_for_a_choice_and_records_nothing(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    engagement = _invite(_speaker(), make_event())
    accept_link = _link(smtp_sink.to(SPEAKER)[0], "Accept")
    form = read_form(client.get(accept_link).text)
    response = client.post(accept_link, data={"csrf_token": form.fields["csrf_token"], "note": "Hmm."})
    assert response.status_code == 422 and "Choose Accept or Decline." in response.text
    assert _status(engagement.id) is InvitationStatus.invited
    assert smtp_sink.to(ORGANISER) == []


def test_the_command_line_refuses_control_characters_in_the_message_and_sends_nothing(app, runner):
    _speaker()
    event = make_event()
    result = runner.invoke(args=["invite-speaker", SPEAKER, event.slug, "--role", "keynote",
                                 "--message", "Dear colleague,\x1b[2J welcome", "--by", ORGANISER])
    assert result.exit_code == 1 and "Remove the control characters from this text." in result.output
    assert _count(OutboundEmail) == 0 and _count(Engagement) == 0
