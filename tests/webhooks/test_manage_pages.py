"""An organiser's webhook pages: add an endpoint, see its secret once, rotate, turn off, test; own only."""

import sqlalchemy as sa
from standardwebhooks import Webhook

from eventsys.database import db
from eventsys.events import management
from eventsys.registration import services as registration
from eventsys.webhooks import dispatch, services
from eventsys.webhooks.models import WebhookEndpoint
from tests.factories import applicant, csrf_token, make_event, make_organiser, sign_in
from tests.formpage import read_form
from tests.webhooks.story import SECRET, add_endpoint, deliveries, log_rows, only_endpoint


def test_an_endpoint_s_secret_is_shown_once_and_stored_only_encrypted(app, client, receivers):
    receiver = receivers(204)
    event = make_event()
    make_organiser("organiser@example.org", event)
    sign_in(client, "organiser@example.org")
    answer, secret = add_endpoint(client, f"/manage/events/{event.id}/webhooks", receiver.url,
                                  ["registration.created", "event.cancelled"])
    assert answer.status_code == 201 and answer.headers["Cache-Control"] == "no-store"
    endpoint = only_endpoint()
    assert endpoint.event_id == event.id
    assert endpoint.event_types == ["registration.created", "event.cancelled"]
    assert secret.encode() not in endpoint.secret
    page = client.get(f"/manage/webhooks/{endpoint.id}").get_data(as_text=True)
    assert not SECRET.search(page) and receiver.url in page

    token = csrf_token(client, f"/manage/webhooks/{endpoint.id}")
    rotated = client.post(f"/manage/webhooks/{endpoint.id}/rotate", data={"csrf_token": token})
    new_secret = SECRET.search(rotated.get_data(as_text=True)).group(0)
    assert new_secret != secret and "second signature" in rotated.get_data(as_text=True)
    assert not SECRET.search(client.get(f"/manage/webhooks/{endpoint.id}").get_data(as_text=True))


def test_the_workspace_page_adds_an_endpoint_for_all_one_s_events_and_the_event_page_lists_it(app, client):
    event = make_event(title="Lecture on Orbital Debris")
    make_organiser("organiser@example.org", event)
    sign_in(client, "organiser@example.org")
    workspace = client.get("/manage/").get_data(as_text=True)
    assert 'href="/manage/webhooks"' in workspace
    assert f'href="/manage/events/{event.id}/webhooks"' in client.get(f"/manage/events/{event.id}").get_data(
        as_text=True)
    answer, secret = add_endpoint(client, "/manage/webhooks", "https://93.184.215.14/hooks",
                                  ["event.updated"], scope="all")
    assert answer.status_code == 201 and secret
    assert only_endpoint().event_id is None
    listed = client.get(f"/manage/events/{event.id}/webhooks").get_data(as_text=True)
    assert "https://93.184.215.14/hooks" in listed and "All events you manage" in listed


def test_an_endpoint_for_someone_else_s_event_or_without_messages_is_refused_by_its_field(app, client):
    event, other = make_event(), make_event(title="Not Mine")
    make_organiser("organiser@example.org", event)
    make_organiser("stranger@example.org", other)
    sign_in(client, "organiser@example.org")
    answer, _ = add_endpoint(client, "/manage/webhooks", "https://93.184.215.14/hooks", [],
                             scope=str(other.id))
    assert answer.status_code == 422
    errors = read_form(answer.get_data(as_text=True)).errors_by_field
    assert errors["scope"] == ["Choose one of the events you manage."]
    assert errors["event_types"] == ["Choose at least one kind of message from the list."]
    assert db.session.scalars(sa.select(WebhookEndpoint)).all() == []


def test_another_organiser_finds_none_of_someone_s_endpoint_pages(app, client):
    event = make_event()
    owner = make_organiser("organiser@example.org", event)
    make_organiser("colleague@example.org", event)  # manages the same event, yet does not own the endpoint
    endpoint, _ = services.create_endpoint(owner, "https://93.184.215.14/hooks", ["event.updated"], event.id)
    sign_in(client, "colleague@example.org")
    token = csrf_token(client, "/manage/webhooks")
    assert client.get(f"/manage/webhooks/{endpoint.id}").status_code == 404
    for action in ("rotate", "turn-off", "turn-on", "delete", "test"):
        answer = client.post(f"/manage/webhooks/{endpoint.id}/{action}", data={"csrf_token": token})
        assert answer.status_code == 404, action
    assert "93.184.215.14" not in client.get(f"/manage/events/{event.id}/webhooks").get_data(as_text=True)
    db.session.refresh(endpoint)
    assert endpoint.enabled


def test_a_form_without_its_csrf_token_changes_nothing(app, client):
    event = make_event()
    owner = make_organiser("organiser@example.org", event)
    endpoint, _ = services.create_endpoint(owner, "https://93.184.215.14/hooks", ["event.updated"], event.id)
    sign_in(client, "organiser@example.org")
    assert client.post(f"/manage/webhooks/{endpoint.id}/delete").status_code == 400
    assert client.post(f"/manage/webhooks/{endpoint.id}/turn-off").status_code == 400
    refused = client.post(f"/manage/events/{event.id}/webhooks",
                          data={"url": "https://93.184.215.14/other", "event_types": ["event.updated"]})
    assert refused.status_code == 400
    assert [e.url for e in db.session.scalars(sa.select(WebhookEndpoint))] == ["https://93.184.215.14/hooks"]
    db.session.refresh(endpoint)
    assert endpoint.enabled


def test_turning_off_on_testing_and_deleting_from_the_endpoint_s_page(app, client, receivers):
    receiver = receivers(204)
    event = make_event()
    owner = make_organiser("organiser@example.org", event)
    endpoint, secret = services.create_endpoint(owner, receiver.url, ["registration.created"], event.id)
    sign_in(client, "organiser@example.org")
    page = f"/manage/webhooks/{endpoint.id}"

    def press(action: str):
        return client.post(f"{page}/{action}", data={"csrf_token": csrf_token(client, page)})

    assert press("test").status_code == 303
    [request] = receiver.received
    body = Webhook(secret).verify(request.body, request.headers)
    assert body["type"] == "webhook.test" and body["data"]["endpoint"] == {"id": endpoint.id}
    assert log_rows(client.get(page).get_data(as_text=True))[0]["status"] == "204"

    assert press("turn-off").status_code == 303
    shown = client.get(page).get_data(as_text=True)
    assert "Turned off by you." in shown and 'id="send-test"' not in shown
    assert press("test").status_code == 422  # nothing is sent to an endpoint that is off
    assert len(receiver.received) == 1
    assert press("turn-on").status_code == 303
    assert "Turned off" not in client.get(page).get_data(as_text=True)

    assert press("delete").location == "/manage/webhooks"
    assert db.session.scalars(sa.select(WebhookEndpoint)).all() == []
    assert client.get(page).status_code == 404


def test_the_delivery_log_pages_newest_first(app, client, receivers, monkeypatch):
    monkeypatch.setattr(services, "LOG_PAGE_SIZE", 2)
    receiver = receivers(500)
    event = make_event()
    owner = make_organiser("organiser@example.org", event)
    endpoint, _ = services.create_endpoint(owner, receiver.url, ["registration.created"], event.id)
    registration.register(event, applicant(1))
    for _ in range(2):
        dispatch.sweep(now=deliveries()[0].next_attempt_at)
    sign_in(client, "organiser@example.org")
    first = client.get(f"/manage/webhooks/{endpoint.id}").get_data(as_text=True)
    second = client.get(f"/manage/webhooks/{endpoint.id}?page=2").get_data(as_text=True)
    assert [row["cells"][2] for row in log_rows(first)] == ["3", "2"]
    assert [row["cells"][2] for row in log_rows(second)] == ["1"]
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_an_organiser_taken_off_the_event_is_told_that_nothing_is_sent(app, client):
    event = make_event()
    owner = make_organiser("organiser@example.org", event)
    make_organiser("colleague@example.org", event)
    endpoint, _ = services.create_endpoint(owner, "https://93.184.215.14/hooks", ["event.updated"], event.id)
    management.remove_manager(event.id, owner.id)
    sign_in(client, "organiser@example.org")
    page = client.get(f"/manage/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "You no longer manage this event" in page


def test_one_organiser_has_at_most_twenty_endpoints(app, client):
    event = make_event()
    owner = make_organiser("organiser@example.org", event)
    for number in range(services.ENDPOINTS_MAX):
        services.create_endpoint(owner, f"https://93.184.215.14/hooks/{number}", ["event.updated"], event.id)
    sign_in(client, "organiser@example.org")
    answer, secret = add_endpoint(client, "/manage/webhooks", "https://93.184.215.14/more", ["event.updated"],
                                  scope="all")
    assert answer.status_code == 422 and secret is None
    assert "the most one organiser may have" in answer.get_data(as_text=True)
