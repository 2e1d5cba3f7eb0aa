"""Organisers make personal API tokens on their account page: shown once, stored hashed, revoked at will."""

import re
from datetime import timedelta

import sqlalchemy as sa

from eventsys.apitokens import services as tokens
from eventsys.apitokens.models import ApiToken, TokenScope
from eventsys.database import db, utcnow
from tests.conftest import both_databases
from tests.factories import bearer, csrf_token, make_event, make_organiser, make_token, sign_in
from tests.formpage import read_form

PAGE = "/account/api-tokens"
TOKEN = re.compile(r"esk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}")


def _make(client, **fields):
    data = {"csrf_token": csrf_token(client, PAGE), "name": "check-in script", "scope": "read",
            "expires_in_days": ""} | fields
    return client.post(PAGE, data=data)


def _row_of(text: str) -> ApiToken:
    public_id = text.split("_")[1]
    return db.session.scalars(sa.select(ApiToken).where(ApiToken.public_id == public_id)).one()


@both_databases
def test_a_token_is_shown_once_and_only_its_hash_is_kept(app, client):
    make_organiser("li.wei@example.org")
    sign_in(client, "li.wei@example.org")
    answer = _make(client, scope="write", expires_in_days="30")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    shown = TOKEN.findall(answer.get_data(as_text=True))
    assert len(shown) == 1
    text = shown[0]

    row = _row_of(text)
    secret = text.split("_", 2)[2]
    stored = " ".join(str(value) for value in db.session.execute(
        sa.select(*ApiToken.__table__.columns).where(ApiToken.id == row.id)).one())
    assert secret not in stored and text not in stored
    assert row.secret_hash == tokens.secret_hash(secret) and len(row.secret_hash) == 64
    assert row.scope is TokenScope.write
    assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)

    again = client.get(PAGE).get_data(as_text=True)
    assert text not in again and secret not in again
    assert "check-in script" in again and f"esk_{row.public_id}_…" in again


def test_the_page_shows_when_and_from_where_a_token_was_last_used(app, client):
    event = make_event()
    user = make_organiser("li.wei@example.org", event)
    text = make_token(user, "read", name="registration sync")
    sign_in(client, "li.wei@example.org")
    assert "Not yet" in client.get(PAGE).get_data(as_text=True)

    api = app.test_client()
    answer = api.get("/api/v1/manage/events", headers=bearer(text),
                     environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert answer.status_code == 200
    page = client.get(PAGE).get_data(as_text=True)
    assert "from 203.0.113.7" in page
    row = _row_of(text)
    assert utcnow() - row.last_used_at < timedelta(minutes=1)


def test_the_last_use_is_written_at_most_once_a_minute(app):
    user = make_organiser("li.wei@example.org")
    text = make_token(user)
    token = tokens.authenticate(text)
    start = utcnow()
    tokens.note_use(token, "203.0.113.7", start)
    tokens.note_use(tokens.authenticate(text), "198.51.100.1", start + timedelta(seconds=30))
    row = _row_of(text)
    assert (row.last_used_at, row.last_used_ip) == (start, "203.0.113.7")
    tokens.note_use(tokens.authenticate(text), "198.51.100.1", start + timedelta(seconds=61))
    db.session.refresh(row)
    assert (row.last_used_at, row.last_used_ip) == (start + timedelta(seconds=61), "198.51.100.1")


def test_revoking_stops_the_token_at_once(app, client):
    user = make_organiser("li.wei@example.org")
    text = make_token(user)
    row = _row_of(text)
    api = app.test_client()
    assert api.get("/api/v1/manage/events", headers=bearer(text)).status_code == 200

    sign_in(client, "li.wei@example.org")
    revoked = client.post(f"{PAGE}/{row.id}/revoke", data={"csrf_token": csrf_token(client, PAGE)})
    assert revoked.status_code == 303
    assert api.get("/api/v1/manage/events", headers=bearer(text)).status_code == 401
    assert f"esk_{row.public_id}" not in client.get(PAGE).get_data(as_text=True)


def test_forms_need_their_csrf_token_and_a_colleagues_token_cannot_be_revoked(app, client):
    mine = make_organiser("li.wei@example.org")
    theirs = make_organiser("ivanov@example.org")
    make_token(mine)
    other = _row_of(make_token(theirs))
    sign_in(client, "li.wei@example.org")
    assert client.post(PAGE, data={"name": "no csrf", "scope": "read"}).status_code == 400
    assert client.post(f"{PAGE}/{other.id}/revoke").status_code == 400
    refused = client.post(f"{PAGE}/{other.id}/revoke", data={"csrf_token": csrf_token(client, PAGE)})
    assert refused.status_code == 404
    db.session.refresh(other)
    assert other.revoked_at is None


def test_the_form_says_what_is_wrong(app, client):
    make_organiser("li.wei@example.org")
    sign_in(client, "li.wei@example.org")
    answer = _make(client, name="", expires_in_days="0")
    assert answer.status_code == 422
    errors = read_form(answer.get_data(as_text=True)).errors_by_field
    assert set(errors) == {"name", "expires_in_days"}
    assert not TOKEN.search(answer.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_the_account_page_needs_a_signed_in_organiser(app, client):
    answer = client.get(PAGE)
    assert answer.status_code == 302 and answer.location.startswith("/login")


def test_a_token_of_a_deactivated_account_stops_working_and_an_admins_acts_as_an_admin(app):
    event = make_event()
    organiser = make_organiser("li.wei@example.org", event)
    admin = make_organiser("head@example.org", admin=True)
    organiser_token, admin_token = make_token(organiser), make_token(admin)
    api = app.test_client()
    assert api.get(f"/api/v1/manage/events/{event.id}", headers=bearer(admin_token)).status_code == 200
    organiser.active = False
    db.session.commit()
    refused = api.get(f"/api/v1/manage/events/{event.id}", headers=bearer(organiser_token))
    assert refused.status_code == 401
    assert refused.json == {"errors": {"authorization": ["The account of this token is deactivated."]}}


def test_an_organiser_holds_a_bounded_number_of_working_tokens(app):
    user = make_organiser("li.wei@example.org")
    for number in range(tokens.MAX_TOKENS):
        make_token(user, name=f"script {number}")
    try:
        make_token(user, name="one too many")
    except tokens.TokenError as refused:
        assert "revoke one" in str(refused)
    else:
        raise AssertionError("a token past the limit was made")
