"""Events that verify addresses: the public registers, clicks the emailed link, and only then has a place."""

import email
import re
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.mail.models import OutboundEmail
from eventsys.registration import verification
from eventsys.registration.models import Registration, RegistrationAttempt, RegistrationStatus
from tests.conftest import both_databases
from tests.factories import applicant, csrf_token, make_event, make_organiser, registration_body, sign_in
from tests.formpage import read_form

LINK = re.compile(r"https?://[^/\s]+(/registrations/confirm/[A-Za-z0-9_.\-]+)")


def _emails(mail_dir, to: str) -> list[email.message.EmailMessage]:
    """The messages the in-process delivery wrote for one recipient, oldest first."""
    messages = [email.message_from_bytes(path.read_bytes(), policy=policy.default)
                for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)]
    return [m for m in messages if m["To"] == to]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _link_in_inbox(mail_dir, to: str) -> str:
    """The path of the confirmation link in the last email the address received."""
    [path] = LINK.findall(_text(_emails(mail_dir, to)[-1]))
    return path


def _post(client, event: Event, number: int, **overrides):
    return client.post(f"/api/v1/events/{event.slug}/registrations",
                       json=registration_body(number, **overrides))


def _registrations(event: Event) -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)))


def _counters(event: Event) -> tuple[int, int]:
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    return event.confirmed_count, event.waitlisted_count


@both_databases
def test_the_api_answers_202_unverified_holds_nothing_and_the_click_gives_the_seat(app, client, mail_dir):
    event = make_event(capacity=1, verify_emails=True)

    answer = _post(client, event, 1)

    assert answer.status_code == 202, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["status"] == "unverified"
    assert "attendee1@example.org" in body["message"] and "30 minutes" in body["message"]
    assert _registrations(event) == [] and _counters(event) == (0, 0)
    [sent] = _emails(mail_dir, "attendee1@example.org")
    assert sent["Subject"] == f"Confirm your email address to register: {event.title}"
    text = _text(sent)
    assert "within 30 minutes" in text and "Beijing time (GMT+08:00)" in text, text

    clicked = client.get(_link_in_inbox(mail_dir, "attendee1@example.org"))

    assert clicked.status_code == 303
    [registration] = _registrations(event)
    assert clicked.location == f"/r/{registration.token}"
    assert registration.status is RegistrationStatus.confirmed
    assert _counters(event) == (1, 0)
    page = client.get(clicked.location).get_data(as_text=True)
    assert "your email address is confirmed" in page and "Your seat is confirmed." in page
    subjects = [m["Subject"] for m in _emails(mail_dir, "attendee1@example.org")]
    assert len(subjects) == 2 and subjects[1].startswith("Registration confirmed"), subjects


@both_databases
def test_places_are_decided_in_click_order_not_in_the_order_people_filled_the_form(app, client, mail_dir):
    event = make_event(capacity=1, verify_emails=True)
    for number in (1, 2, 3):
        assert _post(client, event, number).status_code == 202
    links = {number: _link_in_inbox(mail_dir, f"attendee{number}@example.org") for number in (1, 2, 3)}

    for number in (3, 1, 2):
        assert client.get(links[number]).status_code == 303

    by_email = {r.email: r for r in _registrations(event)}
    assert by_email["attendee3@example.org"].status is RegistrationStatus.confirmed
    assert by_email["attendee1@example.org"].status is RegistrationStatus.waitlisted
    assert by_email["attendee2@example.org"].status is RegistrationStatus.waitlisted
    first, second = by_email["attendee1@example.org"], by_email["attendee2@example.org"]
    assert first.waitlist_number < second.waitlist_number
    assert _counters(event) == (1, 2)


@both_databases
def test_a_second_click_or_another_attempt_of_one_person_leads_to_the_one_registration(app, client, mail_dir):
    event = make_event(capacity=5, verify_emails=True)
    assert _post(client, event, 1).status_code == 202
    first = _link_in_inbox(mail_dir, "attendee1@example.org")
    # Impatient, they register again (with a plus tag) before opening the first email.
    assert _post(client, event, 1, email="attendee1+again@example.org").status_code == 202
    second = _link_in_inbox(mail_dir, "attendee1+again@example.org")

    answers = [client.get(link) for link in (first, first, second)]

    [registration] = _registrations(event)
    assert {a.location for a in answers} == {f"/r/{registration.token}"}
    assert _counters(event) == (1, 0)
    confirmations = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundEmail)
                                      .where(OutboundEmail.kind == "registration_confirmed"))
    assert confirmations == 1
    # Once registered, registering again is refused at once, not after a click.
    again = _post(client, event, 1)
    assert again.status_code == 409
    assert again.get_json()["errors"]["email"] == ["This email address is already registered for this event."]


@both_databases
def test_an_attempt_nobody_clicks_expires_holds_nothing_and_is_deleted(app, client, mail_dir):
    event = make_event(capacity=1, verify_emails=True)
    long_ago = utcnow() - timedelta(minutes=31)
    verification.start(event, applicant(1), now=long_ago)
    link = _link_in_inbox(mail_dir, "attendee1@example.org")
    # Meanwhile the only seat goes to someone who clicked in time.
    assert _post(client, event, 2).status_code == 202
    assert client.get(_link_in_inbox(mail_dir, "attendee2@example.org")).status_code == 303

    late = client.get(link)

    assert late.status_code == 410
    page = late.get_data(as_text=True)
    assert "This link has expired. Please register again." in page
    assert f'href="/events/{event.slug}/register"' in page
    assert [r.email for r in _registrations(event)] == ["attendee2@example.org"]
    assert _counters(event) == (1, 0)

    # An hour after expiring (the mailbox limit's window) what they typed is deleted.
    assert verification.prune(now=utcnow() + timedelta(minutes=58)) == 0
    assert verification.prune(now=utcnow() + timedelta(minutes=60)) == 1
    remaining = db.session.scalars(sa.select(RegistrationAttempt.values)).all()
    assert remaining == [{}], "the clicked attempt keeps only its link to the registration"
    assert client.get(link).status_code == 410


@both_databases
def test_a_link_that_is_not_ours_or_altered_registers_nobody(app, client, mail_dir):
    event = make_event(verify_emails=True)
    assert _post(client, event, 1).status_code == 202
    link = _link_in_inbox(mail_dir, "attendee1@example.org")

    for path in (link[:-3] + "abc", "/registrations/confirm/1", "/registrations/confirm/%00%ff"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "This link is not valid." in answer.get_data(as_text=True)
    assert _registrations(event) == []


@both_databases
def test_a_click_after_registration_closed_says_so_and_registers_nobody(app, client, mail_dir):
    event = make_event(verify_emails=True)
    assert _post(client, event, 1).status_code == 202
    event.registration_closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    answer = client.get(_link_in_inbox(mail_dir, "attendee1@example.org"))

    assert answer.status_code == 410
    assert "Registration for this event has closed." in answer.get_data(as_text=True)
    assert _registrations(event) == []


def test_the_form_sends_the_person_to_check_their_inbox_then_the_link_to_their_page(app, client, mail_dir):
    event = make_event(capacity=10, verify_emails=True)
    path = f"/events/{event.slug}/register"
    empty = client.get(path).get_data(as_text=True)
    assert "We will email you a link: your seat, or your place on the waiting list, is decided" in empty
    form = read_form(empty).fields
    form.update(name="Olena Kovalenko", email="olena@example.ua", affiliation="Kyiv Polytechnic",
                country="UA", category="faculty", consent="y")

    answer = client.post(path, data=form)

    assert answer.status_code == 303
    assert answer.location == f"/events/{event.slug}/register/check-email"
    page = client.get(answer.location).get_data(as_text=True)
    assert "One more step: check your email." in page and "<strong>olena@example.ua</strong>" in page
    assert _registrations(event) == []
    clicked = client.get(_link_in_inbox(mail_dir, "olena@example.ua"))
    assert clicked.status_code == 303
    assert "Your seat is confirmed." in client.get(clicked.location).get_data(as_text=True)


def test_attempts_count_against_the_mailbox_limit_plus_tags_included(app, client, mail_dir):
    app.config["REGISTRATION_MAILBOX_LIMIT"] = 3
    events = [make_event(verify_emails=True) for _ in range(4)]
    for number, event in enumerate(events[:3]):
        assert _post(client, event, 1, email=f"victim+{number}@example.org").status_code == 202

    refused = _post(client, events[3], 1, email="victim+3@example.org")

    assert refused.status_code == 429
    assert "too many registrations in the last hour" in refused.get_json()["errors"]["email"][0]
    assert int(refused.headers["Retry-After"]) > 3000
    assert len(list(mail_dir.glob("*.eml"))) == 3


def test_new_limited_events_verify_addresses_by_default_and_organisers_can_turn_it_off(app, client):
    from eventsys.events.lifecycle import create_event
    from tests.events.test_manage_events import _event_form, _form_of

    user = make_organiser("li.wei@example.org")
    sign_in(client, "li.wei@example.org")
    page = client.get("/manage/events/new").get_data(as_text=True)
    [box] = re.findall(r'<input[^>]*name="verify_emails"[^>]*>', page)
    assert "checked" in box, "the box is ticked on a new event"
    token = csrf_token(client, "/manage/events/new")
    assert client.post("/manage/events/new", data=_event_form(
        token, capacity="300", verify_emails="y")).status_code == 303
    event = db.session.scalars(sa.select(Event).order_by(Event.id.desc())).first()
    assert event.verify_emails is True
    assert "Public registrants confirm their email address" in client.get(
        f"/manage/events/{event.id}").get_data(as_text=True)

    # Unticked on the edit form, it is off.
    token = csrf_token(client, f"/manage/events/{event.id}/edit")
    assert client.post(f"/manage/events/{event.id}/edit", data=_form_of(event, token)).status_code == 303
    db.session.expire_all()
    assert db.session.get(Event, event.id).verify_emails is False

    # Created without saying (the demo data, a script): on exactly when seats are limited.
    from dataclasses import replace

    from eventsys.events.manage_forms import EventForm
    with app.test_request_context(method="POST", data=_event_form("x", capacity="50")):
        form = EventForm()
        assert form.validate(), form.errors
        details = replace(form.details(), slug="", verify_emails=None)
    assert create_event(details, user).verify_emails is True
    assert create_event(replace(details, capacity=None), user).verify_emails is False


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_organisers_own_registrations_need_no_click(app):
    from eventsys.registration import services

    event = make_event(capacity=2, verify_emails=True)
    registration = services.register(event, applicant(1))
    assert registration.status is RegistrationStatus.confirmed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegistrationAttempt)) == 0


def test_the_link_s_deadline_is_also_given_in_the_registrant_s_own_zone(app, client, mail_dir):
    event = make_event(capacity=10, verify_emails=True, timezone="Asia/Harbin")
    assert _post(client, event, 1, timezone="Europe/Moscow").status_code == 202
    text = _text(_emails(mail_dir, "attendee1@example.org")[-1])
    # Harbin is five hours ahead of Moscow all year: both clocks, the second with its place.
    deadline = r"\(until [^()]+ \d\d:\d\d Harbin time \(GMT\+08:00\) / (?:[^/]+, )?\d\d:\d\d Moscow time\):"
    assert re.search(deadline, text), text
