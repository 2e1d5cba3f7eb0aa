"""Driving the message form as an organiser's browser does: preview, then send what was previewed."""

from tests.factories import csrf_token, make_organiser, sign_in
from tests.formpage import read_form

ORGANISER = "messenger@example.org"


def new_message_url(event_id: int) -> str:
    """The page with the message form."""
    return f"/manage/events/{event_id}/messages/new"


def signed_in_organiser(app, *events, email: str = ORGANISER):
    """A test client signed in as an organiser of the events."""
    make_organiser(email, *events)
    client = app.test_client()
    sign_in(client, email)
    return client


def message_fields(**overrides) -> dict:
    """What the form sends: to confirmed registrants, with a subject and body, unless overridden."""
    fields = {"audience": "registrants", "statuses": ["confirmed"], "subject": "Bus to the venue",
              "body": "The bus leaves at 8:00.\nBe on time."}
    fields.update(overrides)
    return fields


def preview(client, event_id: int, **overrides):
    """Press "Preview" with these fields; returns the response."""
    url = new_message_url(event_id)
    data = {"csrf_token": csrf_token(client, url), **message_fields(**overrides), "preview": "Preview"}
    return client.post(url, data=data)


def send(client, event_id: int, previewed, token: str | None = None, **overrides):
    """Press the send button of a preview page with its token (or token) and the fields as previewed."""
    url = new_message_url(event_id)
    hidden = read_form(previewed.get_data(as_text=True)).fields
    token = hidden["preview_token"] if token is None else token
    data = {"csrf_token": hidden["csrf_token"], "preview_token": token,
            **message_fields(**overrides), "send": "Send"}
    return client.post(url, data=data)
