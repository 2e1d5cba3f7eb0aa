"""An invitation to register, as the organiser sends it and the invitee answers it, through the real pages."""

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.invitations import periodic, services
from eventsys.invitations.invitees import Invitee
from eventsys.invitations.models import Invitation, InvitationStatus
from eventsys.mail.models import OutboundEmail
from eventsys.registration import services as registration
from eventsys.registration.models import Registration, RegistrationStatus
from tests.conftest import both_databases
from tests.factories import applicant, make_event, make_organiser, sign_in
from tests.formpage import read_form

ORGANISER = "organiser@astro.example.edu"


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _link(message, word: str) -> str:
    return re.search(rf"^{word}: (\S+)", _text(message), re.MULTILINE).group(1)


def _count(condition) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(condition))


def _status(invitation_id: int) -> InvitationStatus:
    db.session.expire_all()
    return db.session.get(Invitation, invitation_id).status


def _upload(client, event, data: bytes, **options):
    page = client.get(f"/manage/events/{event.id}/invitations")
    form = read_form(page.text)
    fields = {**form.fields, **{f"file-{name}": value for name, value in options.items()}}
    fields["file-file"] = (io.BytesIO(data), "invitees.csv")
    return client.post(f"/manage/events/{event.id}/invitations/file", data=fields,
                       content_type="multipart/form-data")


def _register_through_link(client, link: str, **changes):
    """Open the personal link, keep what is prefilled, add what is missing, press Register."""
    page = client.get(link)
    assert page.status_code == 200, page.text
    form = read_form(page.text)
    fields = {**form.fields, "consent": "y", **changes}
    return client.post(link, data=fields)


@both_databases
def test_a_file_with_bad_rows_sends_nothing_and_says_what_is_wrong_row_by_row(app, client):
    event = make_event(title="Closed Forum on Deep-Space Navigation", capacity=10)
    make_organiser(ORGANISER, event)
    registration.register(event, applicant(9, email="already@example.org"))
    sign_in(client, ORGANISER)
    data = (b"name,email,institution,category,language\n"
            b"Irina Volkova,volkova@example.org,Bauman MSTU,faculty,ru\n"
            b",nobody@example.org,,,\n"
            b"Li Wei,not-an-address,HIT,student,zh\n"
            b"Anna Schmidt,volkova@example.org,TU Berlin,visitor,German\n"
            b"Taken,already@example.org,,,\n"
            b"Extra,extra@example.org,,,,surplus\n")

    response = _upload(client, event, data, holds_seats="y")

    assert response.status_code == 422
    rows = re.findall(r'<tr class="(ok|invalid)"><td>(\d+)</td><td>[^<]*</td><td>([^<]*)</td>', response.text)
    by_row = {int(number): (kind, problems) for kind, number, problems in rows}
    assert by_row[2][0] == "ok"
    assert "name is missing" in by_row[3][1]
    assert by_row[4][0] == "invalid" and "email" in by_row[4][1]
    assert "the same address as row 2" in by_row[5][1]
    assert "category &#39;visitor&#39; is not one of" in by_row[5][1]
    assert "language &#39;German&#39; is not one of en, zh, ru" in by_row[5][1]
    assert "already@example.org is already registered for this event" in by_row[6][1]
    assert "the row has more cells than the header has columns" in by_row[7][1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert _count(OutboundEmail.kind.like("registration_invit%")) == 0
    db.session.expire_all()
    assert db.session.get(Event, event.id).held_count == 0


@both_databases
def test_invitee_gets_the_held_seat_of_a_full_event_and_others_do_not(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(title="Closed Forum on Deep-Space Navigation", capacity=3)
    make_organiser(ORGANISER, event)
    sign_in(client, ORGANISER)
    data = ("name,email,institution,category,language\n"
            "Irina Volkova,volkova@example.org,Bauman MSTU,faculty,Русский\n"
            "李伟,liwei@example.cn,Harbin Institute of Technology,student,zh\n").encode()
    response = _upload(client, event, data, holds_seats="y")
    assert response.status_code == 303, response.text
    page = client.get(response.headers["Location"])
    assert "2 invitations are on their way." in page.text
    assert re.search(r'<span id="held"><strong>2</strong> seats held', page.text)

    # One seat is left for the public; the second public registrant waits, though two seats are held.
    first = registration.register(event, applicant(1))
    second = registration.register(event, applicant(2))
    assert (first.status, second.status) == (RegistrationStatus.confirmed, RegistrationStatus.waitlisted)

    [russian] = smtp_sink.to("volkova@example.org")
    assert russian["Subject"].strip() == ("Вас приглашают зарегистрироваться: "
                                          "Closed Forum on Deep-Space Navigation")
    [chinese] = smtp_sink.to("liwei@example.cn")
    assert "李伟" in _text(chinese)
    link = re.search(r"(http://events\.test/invited/\S+)", _text(chinese)).group(1)

    form_page = client.get(link)
    assert 'value="李伟"' in form_page.text and "liwei@example.cn" in form_page.text
    assert 'id="held-seat"' in form_page.text
    answered = _register_through_link(client, link, country="CN", category="student",
                                      email="someone.else@example.org")  # the address cannot be changed
    assert answered.status_code == 303, answered.text
    made = db.session.scalars(sa.select(Registration).where(Registration.email == "liwei@example.cn")).one()
    assert made.status is RegistrationStatus.confirmed and made.name == "李伟" and made.locale == "zh"
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Registration.email == "someone.else@example.org")) == 0
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.confirmed_count, event.held_count, event.waitlisted_count) == (2, 1, 1)
    [confirmation] = [m for m in smtp_sink.to("liwei@example.cn") if m is not chinese]
    assert "已确认" in _text(confirmation) or "确认" in confirmation["Subject"]

    # The link answers once: registering again says so, and declining no longer works.
    again = client.get(link)
    assert again.status_code == 410 and "already registered with this invitation" in again.text


@both_databases
def test_declining_with_one_click_gives_the_held_seat_to_the_first_person_waiting(app, client):
    event = make_event(capacity=2)
    batch = services.invite(event.id, [Invitee("Irina Volkova", "volkova@example.org"),
                                       Invitee("Anna Schmidt", "schmidt@example.org")],
                            services.BatchOptions(holds_seats=True))
    waiting = [registration.register(event, applicant(n)) for n in (1, 2, 3)]
    assert {r.status for r in waiting} == {RegistrationStatus.waitlisted}
    invitation = db.session.scalars(sa.select(Invitation).where(Invitation.batch_id == batch.id)
                                    .order_by(Invitation.id)).first()
    with app.test_request_context():
        from eventsys.invitations.emails import decline_url
        link = decline_url(invitation.id)

    page = client.get(link)
    # A GET changes nothing: mail scanners open links.
    assert page.status_code == 200 and _status(invitation.id) is InvitationStatus.pending
    response = client.post(link, data=read_form(page.text).fields)
    assert response.status_code == 200 and 'id="declined"' in response.text
    assert _status(invitation.id) is InvitationStatus.declined
    statuses = [db.session.get(Registration, r.id).status for r in waiting]
    assert statuses == [RegistrationStatus.confirmed, RegistrationStatus.waitlisted,
                        RegistrationStatus.waitlisted]
    event = db.session.get(Event, event.id)
    assert (event.confirmed_count, event.held_count, event.waitlisted_count) == (1, 1, 2)
    promoted = db.session.scalars(sa.select(OutboundEmail.recipient).where(
        OutboundEmail.kind == "registration_promoted")).all()
    assert promoted == ["attendee1@example.org"]


@both_databases
def test_expiry_releases_every_held_seat_to_the_waiting_list_in_order(app):
    event = make_event(capacity=3)
    deadline = utcnow() + timedelta(days=5)
    services.invite(event.id, [Invitee(f"Guest {n}", f"guest{n}@example.org") for n in (1, 2)],
                    services.BatchOptions(holds_seats=True, deadline=deadline))
    registration.register(event, applicant(1))
    waiting = [registration.register(event, applicant(n)) for n in (2, 3, 4)]

    assert periodic.expire_due(now=deadline - timedelta(minutes=1)) == 0
    assert periodic.expire_due(now=deadline) == 2
    assert periodic.expire_due(now=deadline) == 0

    db.session.expire_all()
    assert set(db.session.scalars(sa.select(Invitation.status))) == {InvitationStatus.expired}
    assert [db.session.get(Registration, r.id).status for r in waiting] == [
        RegistrationStatus.confirmed, RegistrationStatus.confirmed, RegistrationStatus.waitlisted]
    event = db.session.get(Event, event.id)
    assert (event.confirmed_count, event.held_count, event.waitlisted_count) == (3, 0, 1)


@both_databases
def test_pending_invitees_are_reminded_once_before_the_deadline(app):
    app.config["INVITATION_REMINDER_DAYS"] = 3
    event = make_event()
    now = utcnow()
    services.invite(event.id, [Invitee("Early", "early@example.org")],
                    services.BatchOptions(deadline=now + timedelta(days=10)), now=now)
    services.invite(event.id, [Invitee("Late", "late@example.org")],
                    services.BatchOptions(deadline=now + timedelta(days=2)), now=now)

    assert periodic.remind_due(now=now + timedelta(days=6)) == 0
    assert periodic.remind_due(now=now + timedelta(days=7, minutes=1)) == 1
    assert periodic.remind_due(now=now + timedelta(days=8)) == 0
    assert periodic.remind_due(now=now + timedelta(days=9)) == 0
    reminders = db.session.scalars(sa.select(OutboundEmail.recipient).where(
        OutboundEmail.kind == "registration_invitation_reminder")).all()
    # The late one was invited inside the reminder's window: its invitation is reminder enough.
    assert reminders == ["early@example.org"]


@both_databases
def test_the_organiser_revokes_extends_and_resends_from_the_list(app, client):
    event = make_event(capacity=1)
    make_organiser(ORGANISER, event)
    services.invite(event.id, [Invitee("Held", "held@example.org")], services.BatchOptions(holds_seats=True))
    services.invite(event.id, [Invitee("Other", "other@example.org")], services.BatchOptions())
    waiting = registration.register(event, applicant(1))
    assert waiting.status is RegistrationStatus.waitlisted
    held, other = db.session.scalars(sa.select(Invitation).order_by(Invitation.id)).all()
    sign_in(client, ORGANISER)

    page = client.get(f"/manage/events/{event.id}/invitations")
    token = read_form(page.text).fields["csrf_token"]
    act = f"/manage/events/{event.id}/invitations/act"
    new_deadline = (event.starts_at - timedelta(days=1)).astimezone(event.zone).strftime("%Y-%m-%dT%H:%M")
    response = client.post(act, data={"csrf_token": token, "ids": [str(other.id)], "action": "extend",
                                      "deadline": new_deadline})
    assert "1 invitation extended." in client.get(response.headers["Location"]).text
    db.session.expire_all()
    assert db.session.get(Invitation, other.id).expires_at.astimezone(event.zone).strftime(
        "%Y-%m-%dT%H:%M") == new_deadline

    response = client.post(act, data={"csrf_token": token, "ids": [str(other.id)], "action": "resend"})
    assert "1 invitation sent again." in client.get(response.headers["Location"]).text
    assert db.session.scalar(sa.select(sa.func.count()).where(
        OutboundEmail.kind == "registration_invitation", OutboundEmail.recipient == "other@example.org")) == 2

    response = client.post(act, data={"csrf_token": token, "ids": [str(held.id)], "action": "revoke"})
    assert "1 invitation revoked" in client.get(response.headers["Location"]).text
    assert _status(held.id) is InvitationStatus.revoked
    assert db.session.get(Registration, waiting.id).status is RegistrationStatus.confirmed

    # Without the CSRF token nothing changes.
    refused = client.post(act, data={"ids": [str(other.id)], "action": "revoke"})
    assert refused.status_code in (302, 303, 400) and _status(other.id) is InvitationStatus.pending


@both_databases
def test_a_batch_that_skips_approval_and_one_that_keeps_the_address_check(app, client):
    event = make_event(capacity=10, requires_approval=True, verify_emails=True)
    services.invite(event.id, [Invitee("Fast", "fast@example.org")],
                    services.BatchOptions(skips_approval=True))
    services.invite(event.id, [Invitee("Checked", "checked@example.org", country="DE")],
                    services.BatchOptions(skips_verification=False))
    fast, checked = db.session.scalars(sa.select(Invitation).order_by(Invitation.id)).all()
    with app.test_request_context():
        from eventsys.invitations.emails import invitation_url
        fast_link, checked_link = invitation_url(fast.id), invitation_url(checked.id)

    assert _register_through_link(client, fast_link, country="RU", category="faculty").status_code == 303
    made = db.session.scalars(sa.select(Registration).where(Registration.email == "fast@example.org")).one()
    assert made.status is RegistrationStatus.confirmed  # no approval, no address check

    assert '<option selected value="DE">' in client.get(checked_link).text  # prefilled from the invitation
    response = _register_through_link(client, checked_link, country="DE", category="industry")
    assert response.status_code == 303 and "/check-email" in response.headers["Location"]
    assert _count(Registration.email == "checked@example.org") == 0
    verify = db.session.scalars(sa.select(OutboundEmail).where(
        OutboundEmail.kind == "registration_verify", OutboundEmail.recipient == "checked@example.org")).one()
    confirmed = client.get(verify.context["verify_url"].removeprefix("http://events.test"))
    assert confirmed.status_code == 303
    made = db.session.scalars(sa.select(Registration).where(Registration.email == "checked@example.org")
                              ).one()
    assert made.status is RegistrationStatus.pending and made.country == "DE"  # this batch keeps approval
    assert _status(checked.id) is InvitationStatus.registered


@both_databases
def test_holding_more_seats_than_are_free_is_refused_next_to_the_option(app, client):
    event = make_event(capacity=2)
    make_organiser(ORGANISER, event)
    registration.register(event, applicant(1))
    sign_in(client, ORGANISER)
    data = b"name,email\nA,a@example.org\nB,b@example.org\n"

    response = _upload(client, event, data, holds_seats="y")

    assert response.status_code == 422
    assert "Only 1 seat is free to hold" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


@pytest.mark.parametrize("bad", [b"\xff\xfe\x00garbage", b"", b"email\nx@example.org\n",
                                 b"name,email,shoe\n"])
def test_unreadable_files_are_refused_whole_with_a_reason(app, client, bad):
    event = make_event()
    make_organiser(ORGANISER, event)
    sign_in(client, ORGANISER)
    response = _upload(client, event, bad)
    assert response.status_code == 422 and 'id="file-error"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_another_organiser_cannot_see_or_act_on_the_invitations(app, client):
    event = make_event()
    make_organiser(ORGANISER, event)
    make_organiser("stranger@example.org", make_event())
    services.invite(event.id, [Invitee("Guest", "guest@example.org")], services.BatchOptions())
    sign_in(client, "stranger@example.org")
    assert client.get(f"/manage/events/{event.id}/invitations").status_code in (403, 404)


def test_anonymising_the_event_forgets_who_was_invited_and_keeps_the_counts(app):
    from eventsys.retention.services import anonymise_event

    event = make_event(starts_at=utcnow() + timedelta(days=1))
    services.invite(event.id, [Invitee("Irina Volkova", "volkova@example.org", country="RU")],
                    services.BatchOptions())
    anonymise_event(event.id, now=event.ends_at + timedelta(days=1))
    db.session.expire_all()
    [invitation] = db.session.scalars(sa.select(Invitation)).all()
    assert invitation.name == "Anonymised" and "volkova" not in invitation.email
    assert (invitation.country, invitation.status) == ("RU", InvitationStatus.pending)


def test_nobody_is_invited_to_a_draft_or_a_cancelled_event(app):
    from eventsys.events.lifecycle import ChangeRefused
    from eventsys.events.models import EventStatus

    for status in (EventStatus.draft, EventStatus.cancelled):
        event = make_event(status=status)
        with pytest.raises(ChangeRefused):
            services.invite(event.id, [Invitee("Guest", "guest@example.org")], services.BatchOptions())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_the_registration_speaks_the_invitation_s_language_unless_the_invitee_switched(app, client):
    event = make_event(capacity=10)
    services.invite(event.id, [Invitee("Li Wei", "liwei@example.cn", language="zh"),
                               Invitee("Anna Petrova", "petrova@example.org", language="zh")],
                    services.BatchOptions())
    li, anna = db.session.scalars(sa.select(Invitation).order_by(Invitation.id)).all()
    with app.test_request_context():
        from eventsys.invitations.emails import invitation_url
        links = {li.id: invitation_url(li.id), anna.id: invitation_url(anna.id)}
    answer = {"country": "CN", "category": "student"}
    assert _register_through_link(client, links[li.id], **answer).status_code == 303
    client.set_cookie("lang", "ru", domain="events.test")
    assert _register_through_link(client, links[anna.id], **answer).status_code == 303
    locales = dict(db.session.execute(sa.select(Registration.email, Registration.locale)).all())
    assert locales == {"liwei@example.cn": "zh", "petrova@example.org": "ru"}
