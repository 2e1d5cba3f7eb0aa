"""Signing out, or changing the password, ends the account's other sessions: a copied cookie stops working."""

from tests.factories import csrf_token, make_organiser, sign_in

NEW_PASSWORD = "a brand new passphrase"


def _session_cookie(client) -> str:
    return client.get_cookie("session", domain="events.test").value


def _replay(app, cookie: str):
    """A second browser presenting a copy of the cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="events.test")
    return thief.get("/manage/")


def test_a_cookie_copied_before_sign_out_no_longer_signs_in(app, client):
    make_organiser("li.wei@example.org")
    assert sign_in(client, "li.wei@example.org").status_code == 303
    copied = _session_cookie(client)
    assert _replay(app, copied).status_code == 200

    client.post("/logout", data={"csrf_token": csrf_token(client, "/manage/")})
    replayed = _replay(app, copied)
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/login")


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, client):
    make_organiser("li.wei@example.org")
    other = app.test_client()
    assert sign_in(other, "li.wei@example.org").status_code == 303
    assert sign_in(client, "li.wei@example.org").status_code == 303
    assert other.get("/manage/").status_code == 200

    changed = client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account/password"), "current_password": "correct horse battery",
        "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 303
    assert client.get("/manage/").status_code == 200, "the session that changed it stays signed in"
    ended = other.get("/manage/")
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/login")
