"""The outbox pages: admins see every email by state and mend failures; organisers, their event's only."""

import re
from datetime import timedelta

import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration.models import Registration
from tests.conftest import both_databases
from tests.factories import make_event, make_organiser, sign_in
from tests.formpage import read_form

ADMIN = "head@example.org"


def _registration(event, n: int) -> int:
    """A confirmed registration written directly, without the emails registering would queue."""
    now = utcnow()
    return db.session.scalar(sa.insert(Registration).values(
        event_id=event.id, name=f"Person {n}", email=f"person{n}@example.org", country="RU",
        category="faculty", answers={}, status="confirmed", token=f"token-{event.id}-{n}", locale="en",
        created_at=now, consented_at=now,
    ).returning(Registration.id))


def _email(event, n: int, state: EmailState, *, due_minutes_ago: float = -60, error: str | None = None):
    """An outbox row for a registration of the event, written as the worker would have left it."""
    now = utcnow()
    email = OutboundEmail(
        kind="registration_confirmed", recipient=f"person{n}@example.org", idempotency_key=f"test:{n}",
        event_id=event.id, registration_id=_registration(event, n), state=state,
        attempts=3 if state is EmailState.failed else 0, last_error=error,
        next_attempt_at=now - timedelta(minutes=due_minutes_ago), created_at=now - timedelta(minutes=n),
    )
    db.session.add(email)
    db.session.commit()
    return email.id


def _signed_in(app, email: str, *events, admin: bool = False):
    make_organiser(email, *events, admin=admin)
    client = app.test_client()
    sign_in(client, email)
    return client


def _post(client, page_url: str, action_url: str, **data):
    """Press a button of the page at page_url, with that page's CSRF token."""
    token = read_form(client.get(page_url).get_data(as_text=True)).fields["csrf_token"]
    return client.post(action_url, data={"csrf_token": token, **data})


def _counts(html: str) -> dict[str, int]:
    found = re.findall(r'data-state="(\w+)"[^>]*>\s*\w+: <strong>(\d+)</strong>', html)
    return {state: int(n) for state, n in found}


def _page(client, redirect) -> str:
    """The page a redirect leads to, with its flashed message."""
    return client.get(redirect.location).get_data(as_text=True)


def _listed(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-email-id="(\d+)"', html)]


def _state(email_id: int) -> EmailState:
    db.session.expire_all()
    return db.session.get(OutboundEmail, email_id).state


@both_databases
def test_the_admin_sees_counts_by_state_the_oldest_due_email_and_the_failed_ones(app):
    forum, school = make_event(title="Materials Forum"), make_event(title="Summer School")
    failed = [_email(forum, 1, EmailState.failed, error="550 5.1.1 no such user"),
              _email(school, 2, EmailState.failed, error="554 rejected")]
    overdue = _email(forum, 3, EmailState.queued, due_minutes_ago=12)
    _email(school, 4, EmailState.queued)  # a retry not yet due
    _email(school, 5, EmailState.sent)
    client = _signed_in(app, ADMIN, admin=True)

    html = client.get("/manage/outbox").get_data(as_text=True)
    assert _counts(html) == {"queued": 2, "sending": 0, "sent": 1, "failed": 2, "cancelled": 0}
    assert "The oldest email due has waited 12 minutes" in html
    assert "Emails are sent by this server itself." in html, "the in-process mode has no worker"
    assert _listed(html) == sorted(failed, reverse=True)
    assert "550 5.1.1 no such user" in html and "Materials Forum" in html and "Summer School" in html
    assert "Send all failed emails again" in html

    queued = client.get("/manage/outbox?state=queued").get_data(as_text=True)
    assert set(_listed(queued)) == {overdue, overdue + 1}
    assert queued.count(">Withdraw</button>") == 2 and ">Send again</button>" not in queued
    assert _listed(client.get("/manage/outbox?state=nonsense").get_data(as_text=True)) == _listed(html)


def test_failed_emails_are_listed_fifty_to_a_page(app):
    event = make_event()
    ids = [_email(event, n, EmailState.failed, error="550") for n in range(1, 121)]
    client = _signed_in(app, ADMIN, admin=True)
    first = client.get("/manage/outbox").get_data(as_text=True)
    assert _listed(first) == sorted(ids, reverse=True)[:50]
    assert "Page 1 of 3" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = client.get("/manage/outbox?state=failed&page=3").get_data(as_text=True)
    assert _listed(last) == sorted(ids, reverse=True)[100:]
    assert _listed(client.get("/manage/outbox?page=99").get_data(as_text=True)) == _listed(last)


@both_databases
def test_the_admin_sends_a_failed_email_again_and_withdraws_a_queued_one(app, mail_dir):
    event = make_event()
    failed = _email(event, 1, EmailState.failed, error="451 try later")
    waiting = _email(event, 2, EmailState.queued)
    sent = _email(event, 3, EmailState.sent)
    client = _signed_in(app, ADMIN, admin=True)

    answer = _post(client, "/manage/outbox", f"/manage/outbox/{failed}/resend", state="failed")
    assert answer.status_code == 303 and answer.location == "/manage/outbox?state=failed&page=1"
    assert _state(failed) is EmailState.sent, "queued again and delivered by the in-process mode"
    assert len(list(mail_dir.glob("*.eml"))) == 1
    assert "The email to person1@example.org is queued again." in _page(client, answer)

    assert _post(client, "/manage/outbox", f"/manage/outbox/{waiting}/cancel").status_code == 303
    assert _state(waiting) is EmailState.cancelled
    _post(client, "/manage/outbox", f"/manage/outbox/{waiting}/resend")
    assert _state(waiting) is EmailState.sent, "a withdrawn email can be sent after all"

    answer = _post(client, "/manage/outbox", f"/manage/outbox/{sent}/resend")
    assert "only failed or cancelled ones are sent again" in _page(client, answer)
    answer = _post(client, "/manage/outbox", f"/manage/outbox/{sent}/cancel")
    assert "only queued ones can be withdrawn" in _page(client, answer)
    assert _state(sent) is EmailState.sent
    assert _post(client, "/manage/outbox", "/manage/outbox/999999/resend").status_code == 404


def test_all_failed_emails_can_be_sent_again_at_once(app, mail_dir):
    event = make_event()
    failed = [_email(event, n, EmailState.failed, error="451") for n in range(1, 4)]
    client = _signed_in(app, ADMIN, admin=True)
    answer = _post(client, "/manage/outbox", "/manage/outbox/resend-failed")
    assert "3 failed emails queued again." in _page(client, answer)
    assert {_state(email_id) for email_id in failed} == {EmailState.sent}
    assert len(list(mail_dir.glob("*.eml"))) == 3


def test_the_office_outbox_shows_an_organiser_only_their_events_and_its_buttons_are_for_admins(app):
    mine, theirs = make_event(), make_event()
    failed = _email(mine, 1, EmailState.failed, error="550")
    their_failed = _email(theirs, 2, EmailState.failed, error="550")
    client = _signed_in(app, "organiser@example.org", mine)
    assert _listed(client.get("/manage/outbox").get_data(as_text=True)) == [failed]
    assert _post(client, "/manage/", f"/manage/outbox/{failed}/resend").status_code == 403
    assert _post(client, "/manage/", f"/manage/outbox/{their_failed}/resend").status_code == 403
    assert _state(failed) is EmailState.failed and _state(their_failed) is EmailState.failed


@both_databases
def test_an_organiser_sees_and_mends_only_their_own_event_s_emails(app):
    mine, theirs = make_event(title="My Forum"), make_event(title="Their Forum")
    my_failed = _email(mine, 1, EmailState.failed, error="550 mailbox full")
    their_failed = _email(theirs, 2, EmailState.failed, error="550 unknown")
    their_queued = _email(theirs, 3, EmailState.queued)
    client = _signed_in(app, "organiser@example.org", mine)
    page = f"/manage/events/{mine.id}/outbox"

    html = client.get(page).get_data(as_text=True)
    assert _listed(html) == [my_failed]
    assert _counts(html)["failed"] == 1 and "550 unknown" not in html
    for action in ("resend", "cancel"):
        for email_id in (their_failed, their_queued):
            answer = _post(client, page, f"/manage/events/{mine.id}/outbox/{email_id}/{action}")
            assert answer.status_code == 404
    assert _post(client, page, f"/manage/events/{mine.id}/outbox/resend-failed").status_code == 303
    assert (_state(my_failed), _state(their_failed), _state(their_queued)) == (
        EmailState.sent, EmailState.failed, EmailState.queued)

    elsewhere = f"/manage/events/{theirs.id}/outbox"
    assert client.get(elsewhere).status_code == 403
    assert _post(client, page, f"{elsewhere}/{their_failed}/resend").status_code == 403
    assert _post(client, page, f"{elsewhere}/resend-failed").status_code == 403
    assert _state(their_failed) is EmailState.failed
