"""The API's refusals follow the request's language (Accept-Language), in our words, not marshmallow's."""

from eventsys.database import db
from eventsys.registration.models import Registration
from tests.factories import make_event, registration_body


def _post(client, event, body, language: str):
    return client.post(f"/api/v1/events/{event.slug}/registrations", json=body,
                       headers={"Accept-Language": language})


def test_a_missing_field_and_a_wrong_type_are_explained_in_our_words(client):
    event = make_event()
    body = {**registration_body(1), "name": 42}
    del body["email"]
    response = _post(client, event, body, "en")
    assert response.status_code == 422
    assert response.json["errors"]["email"] == ["This field is required."]
    assert response.json["errors"]["name"] == ["Enter text here."]
    assert db.session.query(Registration).count() == 0


def test_a_refusal_is_in_russian_when_the_request_asks_for_it(client):
    event = make_event()
    response = _post(client, event, {**registration_body(1), "name": ""}, "ru-RU,ru;q=0.9")
    assert response.status_code == 422
    assert response.json["errors"]["name"] == ["Введите ваше имя."]
    # New to the catalogue: Russian once the lead has the new strings translated.
    missing = _post(client, event, {k: v for k, v in registration_body(2).items() if k != "email"}, "ru")
    assert missing.json["errors"]["email"] != ["This field is required."]


def test_too_many_requests_to_the_api_are_answered_in_our_words(app, client):
    app.config["REGISTRATION_RATE_LIMIT"] = "1 per minute"
    event = make_event()
    answers = [_post(client, event, registration_body(n), "en") for n in range(2)]
    assert answers[-1].status_code == 429
    assert "per 1 minute" not in answers[-1].text
