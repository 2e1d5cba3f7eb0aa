"""A webhook reaches a real receiver: retried when due, signed, logged; 410 and failing endpoints turn off."""

import json
from datetime import timedelta

import sqlalchemy as sa
from standardwebhooks import Webhook

from eventsys.database import db, utcnow
from eventsys.mail.models import OutboundEmail
from eventsys.registration import services as registration
from eventsys.webhooks import dispatch, services
from eventsys.webhooks.emails import ENDPOINT_DISABLED
from eventsys.webhooks.models import DeliveryState, DisabledReason, WebhookAttempt
from tests.conftest import both_databases
from tests.factories import applicant, make_event, make_organiser, sign_in
from tests.webhooks.story import add_endpoint, deliveries, log_rows, only_endpoint


@both_databases
def test_a_registration_refused_twice_arrives_on_the_third_attempt_signed_and_logged(app, client, receivers):
    receiver = receivers(500, 500, 200)
    event = make_event(title="Lecture on Orbital Debris")
    make_organiser("organiser@example.org", event)
    sign_in(client, "organiser@example.org")
    answer, secret = add_endpoint(client, f"/manage/events/{event.id}/webhooks", receiver.url,
                                  ["registration.created"])
    assert answer.status_code == 201 and secret, answer.get_data(as_text=True)

    person = registration.register(event, applicant(1, name="Ада Лавлейс"))
    assert [r.headers["webhook-id"] for r in receiver.received] and len(receiver.received) == 1
    [delivery] = deliveries()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (DeliveryState.pending, 1, 500)

    first_retry = delivery.next_attempt_at
    assert timedelta(seconds=4) < first_retry - delivery.last_attempt_at <= timedelta(seconds=5)
    assert dispatch.sweep(now=first_retry - timedelta(seconds=1)) == 0  # not due yet: nothing sent
    assert dispatch.sweep(now=first_retry) == 1
    [delivery] = deliveries()
    assert (delivery.attempts, delivery.last_status_code) == (2, 500)
    assert delivery.next_attempt_at - first_retry == timedelta(minutes=5)
    assert dispatch.sweep(now=delivery.next_attempt_at) == 1

    [delivery] = deliveries()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (DeliveryState.delivered, 3, 200)
    assert len(receiver.received) == 3
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert receiver.received[0].headers["webhook-id"].startswith("msg_")
    assert len({r.body for r in receiver.received}) == 1
    for request in receiver.received:
        assert Webhook(secret).verify(request.body, request.headers)  # raises when it does not verify
    body = json.loads(receiver.received[-1].body)
    assert body["type"] == "registration.created"
    assert body["data"] == {"event": {"id": event.id, "slug": event.slug, "status": "published"},
                            "registration": {"id": person.id, "status": "confirmed"}}
    assert body["timestamp"].endswith("Z")
    assert "Лавлейс" not in receiver.received[-1].body.decode() and "attendee1" not in body.__repr__()
    assert dispatch.sweep(now=delivery.next_attempt_at + timedelta(days=1)) == 0  # delivered: never again

    page = client.get(f"/manage/webhooks/{only_endpoint().id}")
    rows = log_rows(page.get_data(as_text=True))
    assert [(row["status"], row["cells"][2]) for row in rows] == [("200", "3"), ("500", "2"), ("500", "1")]
    assert all("registration.created" in row["cells"][1] for row in rows)
    assert rows[0]["state"] == "delivered"
    assert "thanks" in rows[0]["cells"][6]
    assert 'data-zone="Asia/Shanghai"' in page.get_data(as_text=True)  # the event's clock, with its zone


def test_the_log_shows_what_the_receiver_said_escaped_and_cut_to_two_kilobytes(app, client, receivers):
    receiver = receivers(500, body=b"<script>alert(1)</script>" + b"x" * 5000)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    endpoint, _secret = services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    registration.register(event, applicant(1))
    [attempt] = db.session.scalars(sa.select(WebhookAttempt)).all()
    assert attempt.response_excerpt.startswith("<script>") and len(attempt.response_excerpt) == 2048
    sign_in(client, "organiser@example.org")
    html = client.get(f"/manage/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@both_databases
def test_410_gone_turns_the_endpoint_off_at_once_and_its_page_says_so(app, client, receivers):
    receiver = receivers(410)
    event = make_event(capacity=1)
    organiser = make_organiser("organiser@example.org", event)
    endpoint, _secret = services.create_endpoint(organiser, receiver.url,
                                                 ["registration.created", "registration.cancelled"], event.id)
    first = registration.register(event, applicant(1))
    assert len(receiver.received) == 1
    db.session.refresh(endpoint)
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, DisabledReason.gone)
    [delivery] = deliveries()
    assert delivery.state is DeliveryState.failed
    registration.cancel_registration(first.id)
    assert len(receiver.received) == 1  # nothing more goes to it
    assert dispatch.sweep(now=utcnow() + timedelta(days=1)) == 0

    sign_in(client, "organiser@example.org")
    page = client.get(f"/manage/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "the receiver answered 410 Gone" in page
    assert log_rows(page)[0]["status"] == "410"
    email = db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.kind == ENDPOINT_DISABLED)).one()
    assert email.recipient == "organiser@example.org"


@both_databases
def test_an_endpoint_failing_for_three_days_is_turned_off_and_its_owner_emailed(app, receivers):
    receiver = receivers(503)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    organiser.locale = "ru"
    db.session.commit()
    endpoint, _secret = services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    registration.register(event, applicant(1))
    [delivery] = deliveries()
    first_attempt = delivery.last_attempt_at
    waits = []
    while delivery.state is DeliveryState.pending:
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        assert dispatch.sweep(now=delivery.next_attempt_at) == 1
        [delivery] = deliveries()
    # 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h, until the last try falls three days after the first.
    assert waits[:6] == [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30),
                         timedelta(hours=2), timedelta(hours=5), timedelta(hours=10)]
    assert delivery.state is DeliveryState.failed
    assert delivery.last_attempt_at == first_attempt + timedelta(days=3)
    assert len(receiver.received) == delivery.attempts == len(waits) + 1

    db.session.refresh(endpoint)
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, DisabledReason.failing)
    email = db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.kind == ENDPOINT_DISABLED)).one()
    assert (email.recipient, email.locale, email.context["endpoint_id"]) == ("organiser@example.org", "ru",
                                                                             endpoint.id)
    registration.register(event, applicant(2))
    assert len(receiver.received) == delivery.attempts  # off: the new registration is not sent


def test_one_success_ends_a_failing_streak(app, receivers):
    receiver = receivers(500, 200, 500)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    endpoint, _secret = services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    registration.register(event, applicant(1))
    db.session.refresh(endpoint)
    assert endpoint.failing_since is not None
    registration.register(event, applicant(2))
    db.session.refresh(endpoint)
    assert endpoint.failing_since is None and endpoint.enabled


def test_during_a_rotation_each_message_carries_two_signatures_one_for_each_secret(app, receivers):
    receiver = receivers(200)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    endpoint, old = services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    new = services.rotate_secret(endpoint)
    registration.register(event, applicant(1))
    [request] = receiver.received
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    for secret, signature in ((new, signatures[0]), (old, signatures[1])):
        assert Webhook(secret).verify(request.body, {**request.headers, "webhook-signature": signature})
    for secret in (new, old):
        assert Webhook(secret).verify(request.body, request.headers)

    endpoint.previous_secret_expires_at = utcnow() - timedelta(seconds=1)  # a day later
    db.session.commit()
    registration.register(event, applicant(2))
    later = receiver.received[-1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(later.body, later.headers)


def test_two_sweeps_at_once_send_each_attempt_once(app, receivers):
    receiver = receivers(500)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    registration.register(event, applicant(1))
    [delivery] = deliveries()
    due = delivery.next_attempt_at
    assert dispatch.sweep(now=due) == 1
    assert dispatch.sweep(now=due) == 0  # the first claimed it: its due time moved on
    assert len(receiver.received) == 2


def test_the_log_is_kept_for_webhook_log_days_but_never_cut_under_a_pending_delivery(app, receivers):
    app.config["WEBHOOK_LOG_DAYS"] = 1
    receiver = receivers(200, 500)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    registration.register(event, applicant(1))  # delivered
    registration.register(event, applicant(2))  # failed once: pending
    dispatch.prune(utcnow() + timedelta(days=2))
    assert [delivery.state for delivery in deliveries()] == [DeliveryState.pending]
