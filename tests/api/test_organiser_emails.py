"""A script watches an event's emails, as its outbox page shows them, and sends a failed one again."""

import sqlalchemy as sa

from eventsys.database import db
from eventsys.mail import outbox
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration import services
from tests.api.organiser import call
from tests.factories import applicant, make_event, make_organiser, make_token


def _emails(event) -> str:
    return f"/api/v1/manage/events/{event.id}/emails"


def _email_of(registration) -> OutboundEmail:
    return db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.registration_id == registration.id)
                              .order_by(OutboundEmail.id)).first()


def test_the_events_emails_are_listed_newest_first_by_state_and_a_failed_one_is_sent_again(app, client):
    event, other = make_event(), make_event()
    first = services.register(event, applicant(1))
    second = services.register(event, applicant(2))
    services.register(other, applicant(3))
    token = make_token(make_organiser("li.wei@example.org", event))

    listed = call(client, "GET", _emails(event), token).json
    assert [e["recipient"] for e in listed["items"]] == ["attendee2@example.org", "attendee1@example.org"]
    assert {e["state"] for e in listed["items"]} == {"sent"}

    failed = _email_of(second)
    failed.state, failed.last_error = EmailState.failed, "550 mailbox unavailable"
    db.session.commit()
    only_failed = call(client, "GET", f"{_emails(event)}?state=failed", token).json
    assert [(e["id"], e["last_error"]) for e in only_failed["items"]] == [
        (failed.id, "550 mailbox unavailable")]
    paged = call(client, "GET", f"{_emails(event)}?limit=1", token).json
    assert len(paged["items"]) == 1 and paged["next"]

    resent = call(client, "POST", f"{_emails(event)}/{failed.id}/resend", token)
    assert resent.status_code == 200 and resent.json["state"] in {"queued", "sending", "sent"}
    outbox.flush_dispatch()
    refused = call(client, "POST", f"{_emails(event)}/{_email_of(first).id}/resend", token)
    assert refused.status_code == 409
    assert "only failed or cancelled ones are sent again" in refused.json["errors"]["request"][0]


def test_an_email_of_another_event_is_not_found(app, client):
    event, other = make_event(), make_event()
    stranger = services.register(other, applicant(1))
    email = _email_of(stranger)
    email.state = EmailState.failed
    db.session.commit()
    token = make_token(make_organiser("li.wei@example.org", event))
    assert call(client, "POST", f"{_emails(event)}/{email.id}/resend", token).status_code == 404
    db.session.refresh(email)
    assert email.state is EmailState.failed
