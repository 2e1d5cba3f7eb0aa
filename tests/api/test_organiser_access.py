"""Every route of the organiser API is closed to the wrong token: walked route by route.

The routes are read from the app, so a new one is walked without anyone adding it
here: no token, a malformed, expired or revoked one gets 401; a read token cannot
write (403); another organiser's token gets 404 on an event it does not manage, as
if the event did not exist; the organiser's own token is served.
"""

import pytest

from eventsys.accounts.models import User
from eventsys.database import db
from tests.api.organiser import WRITES, call, expired_token, organiser_routes, revoked_token, url_of
from tests.factories import make_event, make_organiser, make_token
from tests.world import build_world

ROUTES = organiser_routes()


def test_the_walk_sees_the_organiser_api():
    assert len(ROUTES) >= 35


@pytest.mark.parametrize(("rule", "method"), ROUTES)
def test_every_route_refuses_the_wrong_tokens_and_serves_its_organiser(app, rule, method):
    world = build_world()
    url = url_of(rule, world.ids)
    organiser = db.session.get(User, world.ids["user_id"])
    stranger = make_organiser("stranger@example.org", make_event(title="Another Forum"))
    client = app.test_client()

    nothing = call(client, method, url)
    assert nothing.status_code == 401
    assert nothing.headers["WWW-Authenticate"] == 'Bearer realm="eventsys"'
    assert list(nothing.json["errors"]) == ["authorization"]
    unknown = "esk_abcdefgh_" + "A" * 43
    for token in ("esk_nottoken", unknown, expired_token(organiser), revoked_token(organiser)):
        refused = call(client, method, url, token)
        assert refused.status_code == 401, token
        assert refused.headers["WWW-Authenticate"] == 'Bearer realm="eventsys", error="invalid_token"'
    assert call(client, method, url, Authorization="Basic dXNlcjpwYXNz").status_code == 401

    reader = make_token(organiser, "read")
    if method in WRITES:
        refused = call(client, method, url, reader, {})
        assert refused.status_code == 403 and list(refused.json["errors"]) == ["authorization"]

    strangers = call(client, method, url, make_token(stranger), {})
    if "<int:event_id>" in rule:
        assert strangers.status_code == 404, strangers.json
        assert set(strangers.json) == {"errors"}
    else:
        assert strangers.status_code < 500 and strangers.status_code not in (401, 403), strangers.json

    own = call(client, method, url, make_token(organiser), {})
    assert own.status_code < 500, own.get_data(as_text=True)[:2000]
    assert own.status_code not in (401, 403, 404)
    if method == "GET":
        assert own.status_code == 200, own.json


def test_an_admins_token_reaches_every_event_and_the_public_api_stays_anonymous(app, client):
    event = make_event(title="Somebody's Symposium")
    make_organiser("owner@example.org", event)
    admin = make_organiser("head@example.org", admin=True)
    answer = call(client, "GET", f"/api/v1/manage/events/{event.id}", make_token(admin, "read"))
    assert answer.status_code == 200 and answer.json["title"] == "Somebody's Symposium"
    assert client.get("/api/v1/events").status_code == 200
    assert client.get(f"/api/v1/events/{event.slug}").status_code == 200


def test_an_id_of_another_event_answers_as_an_unknown_one(app, client):
    world = build_world()
    organiser = db.session.get(User, world.ids["user_id"])
    mine = make_event(title="My Second Lecture")
    from eventsys.accounts.services import add_manager

    add_manager(mine.id, organiser)
    db.session.commit()
    token = make_token(organiser)
    other_events = f"/api/v1/manage/events/{mine.id}/registrations/{world.ids['registration_id']}"
    unknown = f"/api/v1/manage/events/{mine.id}/registrations/999999"
    assert call(client, "GET", other_events, token).status_code == 404
    assert call(client, "GET", unknown, token).status_code == 404
    assert call(client, "GET", f"/api/v1/manage/events/{2**40}", token).status_code == 404


def test_a_tokens_rate_limit_answers_429_with_retry_after(app, client):
    app.config.update(ORGANISER_API_READ_LIMIT="3 per minute", ORGANISER_API_WRITE_LIMIT="1 per minute")
    user = make_organiser("li.wei@example.org")
    token, other = make_token(user), make_token(user, name="desk")
    answers = [call(client, "GET", "/api/v1/manage/speakers", token).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = call(client, "GET", "/api/v1/manage/speakers", token)
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert list(limited.json["errors"]) == ["request"]
    # Each token has its own allowance, and writes count apart from reads.
    assert call(client, "GET", "/api/v1/manage/speakers", other).status_code == 200
    body = {"name": "Harbin Institute of Technology", "country": "CN"}
    assert call(client, "POST", "/api/v1/manage/institutions", token, body).status_code == 201
    assert call(client, "POST", "/api/v1/manage/institutions", token, body).status_code == 429


def _operation(spec: dict, rule: str, method: str) -> dict:
    path = rule
    for part in rule.split("/"):
        if part.startswith("<int:"):
            path = path.replace(part, "{" + part[5:-1] + "}")
    return spec["paths"][path][method.lower()]


@pytest.mark.parametrize(("rule", "method"), ROUTES)
def test_every_route_names_the_field_it_cannot_take(app, client, rule, method):
    """422 with the field named: a list's limit, a body's unknown field, a write's malformed key."""
    world = build_world()
    url = url_of(rule, world.ids)
    token = make_token(db.session.get(User, world.ids["user_id"]))
    operation = _operation(client.get("/api/v1/openapi.json").json, rule, method)
    names = {parameter["name"] for parameter in operation.get("parameters", [])}
    if "limit" in names:
        refused = call(client, method, f"{url}?limit=0", token)
        assert refused.status_code == 422 and list(refused.json["errors"]) == ["limit"]
    if "requestBody" in operation:
        refused = call(client, method, url, token, {"colour": "blue"})
        assert refused.status_code == 422 and "colour" in refused.json["errors"], refused.json
    if method in WRITES:
        refused = call(client, method, url, token, {}, **{"Idempotency-Key": "two words"})
        assert refused.status_code == 422 and list(refused.json["errors"]) == ["idempotency_key"]
    if not ({"limit"} & names or "requestBody" in operation or method in WRITES):
        assert method == "GET" and rule.endswith("_id>")  # one thing by its id: only the id can be wrong
