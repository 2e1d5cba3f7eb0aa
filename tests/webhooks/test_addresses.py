"""Webhooks never reach the private side of our network: refused when saved and again when delivering."""

import ipaddress

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.registration import services as registration
from eventsys.webhooks import addresses, services
from eventsys.webhooks.models import DeliveryState, WebhookAttempt, WebhookEndpoint
from tests.factories import applicant, make_event, make_organiser, sign_in
from tests.formpage import read_form
from tests.webhooks.story import add_endpoint, deliveries


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hooks", "http://10.1.2.3/hooks", "http://169.254.169.254/latest/meta-data",
    "http://[::1]:8080/hooks", "http://localhost/hooks", "https://192.168.0.10/", "http://[::ffff:10.0.0.1]/",
    "http://0.0.0.0/", "http://100.64.0.1/",
])
def test_an_address_on_the_private_side_is_refused_when_saved_with_the_reason_by_the_field(app, client, url):
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
    event = make_event()
    make_organiser("organiser@example.org", event)
    sign_in(client, "organiser@example.org")
    page = f"/manage/events/{event.id}/webhooks"
    answer, secret = add_endpoint(client, page, url, ["registration.created"])
    assert answer.status_code == 422 and secret is None
    errors = read_form(answer.get_data(as_text=True)).errors_by_field
    assert "private, local or reserved address" in " ".join(errors["url"]), errors
    assert _endpoints() == []


def _endpoints() -> list:
    return list(db.session.scalars(sa.select(WebhookEndpoint)))


def _attempts() -> list[WebhookAttempt]:
    return list(db.session.scalars(sa.select(WebhookAttempt)))


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://example.org/hooks", "starting with https://"),
    ("https://user:secret@example.org/hooks", "user name and password"),
    ("example.org/hooks", "starting with https://"),
    ("https://no-such-host.invalid/hooks", "cannot be found"),
])
def test_only_plain_http_and_https_addresses_are_taken(app, client, url, reason):
    event = make_event()
    make_organiser("organiser@example.org", event)
    sign_in(client, "organiser@example.org")
    page = f"/manage/events/{event.id}/webhooks"
    answer, _secret = add_endpoint(client, page, url, ["registration.created"])
    assert answer.status_code == 422
    assert reason in " ".join(read_form(answer.get_data(as_text=True)).errors_by_field["url"])


def test_an_endpoint_saved_while_allowed_is_refused_at_delivery_once_the_setting_is_off(app, receivers):
    receiver = receivers(200)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
    registration.register(event, applicant(1))
    assert receiver.received == []
    [delivery] = deliveries()
    assert (delivery.state, delivery.last_status_code) == (DeliveryState.pending, None)  # tried again later
    [attempt] = _attempts()
    assert attempt.status_code is None and "private, local or reserved address" in attempt.response_excerpt


def test_the_connection_goes_to_the_address_checked_not_to_a_second_lookup(app, receivers):
    # "rebind.invalid" resolves nowhere: were the name looked up again, nothing would connect.
    receiver = receivers(204)
    port = receiver.server.server_address[1]
    target = addresses.Target(url=f"http://rebind.invalid:{port}/hooks", host="rebind.invalid", port=port,
                              address="127.0.0.1")
    with addresses.pinned_client(target, timeout=5) as client:
        answer = client.post(target.url, content=b"{}")
    assert answer.status_code == 204
    assert receiver.received[0].headers["Host"] == f"rebind.invalid:{port}"


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "255.255.255.255", "192.0.2.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::1", "64:ff9b::a00:1",
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",
])
def test_private_loopback_link_local_multicast_reserved_and_unspecified_addresses_are_not_public(address):
    assert not addresses.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are(address):
    assert addresses.is_public(ipaddress.ip_address(address))


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(app, receivers):
    app.config["WEBHOOK_TIMEOUT_SECONDS"] = 0.5
    receiver = receivers(200, delay=2)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    registration.register(event, applicant(1))
    [attempt] = _attempts()
    assert attempt.status_code is None and attempt.response_excerpt == "no answer within 0.5 s"
    assert attempt.duration_ms < 1500


def test_a_redirect_is_not_followed_and_counts_as_a_failure(app, receivers):
    receiver = receivers(302)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    registration.register(event, applicant(1))
    [delivery] = deliveries()
    assert (delivery.state, delivery.last_status_code) == (DeliveryState.pending, 302)
    assert len(receiver.received) == 1
