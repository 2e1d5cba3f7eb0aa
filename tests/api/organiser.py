"""What the organiser API's tests share: the routes read from the app, and tokens of every kind."""

from datetime import timedelta

import pytest

from eventsys import create_app
from eventsys.apitokens import services as tokens
from eventsys.database import db, utcnow
from tests.factories import bearer, make_token

PREFIX = "/api/v1/manage/"
WRITES = {"POST", "PATCH", "PUT", "DELETE"}


def organiser_routes() -> list:
    """(rule, method) of every organiser API route, as pytest params: a new route is walked by itself."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append(pytest.param(rule.rule, method, id=f"{method} {rule.rule}"))
    return routes


def url_of(rule: str, ids: dict[str, int]) -> str:
    """The rule with each <int:name> filled with the id of that name."""
    url = rule
    for name, value in ids.items():
        url = url.replace(f"<int:{name}>", str(value))
    assert "<" not in url, f"{rule}: no id for this parameter: add one to the world"
    return url


def expired_token(user) -> str:
    """A token of the user whose day is over."""
    text = make_token(user, name="expired", expires_in_days=1)
    row = tokens.authenticate(text)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    return text


def revoked_token(user) -> str:
    """A token of the user that was revoked."""
    text = make_token(user, name="revoked")
    tokens.revoke_token(user, tokens.authenticate(text).id)
    return text


def call(client, method: str, url: str, token: str | None = None, body: dict | None = None, **headers):
    """One request to the organiser API, with the token when given and a JSON body on writes."""
    sent = (bearer(token) if token else {}) | headers
    return client.open(url, method=method, headers=sent, json=body if method in WRITES else None)
