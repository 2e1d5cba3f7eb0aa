"""Organisers sign in, out, change their password; admins are made from the command line."""

from eventsys.accounts import services
from eventsys.accounts.models import User
from eventsys.database import db
from tests.factories import csrf_token, make_event, make_organiser, sign_in
from tests.formpage import read_form


def test_an_organiser_signs_in_sees_their_events_and_signs_out(app, client):
    mine = make_event(title="Symposium on Smart Materials")
    make_event(title="Someone Else's Forum")
    make_organiser("li.wei@example.org", mine)

    answer = client.get("/manage/")
    assert answer.status_code == 302 and answer.location.startswith("/login?next=")

    assert sign_in(client, "Li.Wei@Example.org").status_code == 303
    page = client.get("/manage/").get_data(as_text=True)
    assert "Symposium on Smart Materials" in page and "Someone Else" not in page

    client.post("/logout", data={"csrf_token": csrf_token(client, "/manage/")})
    assert client.get("/manage/").status_code == 302


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(app, client):
    make_organiser("li.wei@example.org")
    for email in ("li.wei@example.org", "nobody@example.org"):
        answer = sign_in(client, email, "not the password")
        assert answer.status_code == 422
        assert read_form(answer.get_data(as_text=True)).errors_by_field == {
            "password": ["Wrong email or password."]
        }


def test_sign_in_goes_back_to_the_page_asked_for_but_never_to_another_site(app, client):
    make_organiser("li.wei@example.org")
    token = csrf_token(client, "/login")
    data = {"csrf_token": token, "email": "li.wei@example.org", "password": "correct horse battery"}
    answer = client.post("/login?next=//evil.example/steal", data=data)
    assert answer.location == "/manage/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/manage/")})
    token = csrf_token(client, "/login")
    answer = client.post("/login?next=/account/password", data={**data, "csrf_token": token})
    assert answer.location == "/account/password"


def test_sign_in_attempts_are_rate_limited(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    make_organiser("li.wei@example.org")
    answers = [sign_in(client, "li.wei@example.org", f"guess number {n}").status_code for n in range(4)]
    assert answers == [422, 422, 422, 429]
    # Even the right password waits until the minute is over.
    assert sign_in(client, "li.wei@example.org").status_code == 429


def test_password_change_needs_the_current_one_and_a_strong_new_one(app, client):
    user = make_organiser("li.wei@example.org")
    sign_in(client, "li.wei@example.org")
    token = csrf_token(client, "/account/password")
    answer = client.post("/account/password", data={
        "csrf_token": token, "current_password": "wrong", "new_password": "short", "confirm": "short"})
    errors = read_form(answer.get_data(as_text=True)).errors_by_field
    assert answer.status_code == 422 and "new_password" in errors

    answer = client.post("/account/password", data={
        "csrf_token": token, "current_password": "wrong", "new_password": "a much longer one",
        "confirm": "a much longer one"})
    assert read_form(answer.get_data(as_text=True)).errors_by_field == {
        "current_password": ["This is not your current password."]}

    answer = client.post("/account/password", data={
        "csrf_token": token, "current_password": "correct horse battery",
        "new_password": "a much longer one", "confirm": "a much longer one"})
    assert answer.status_code == 303
    db.session.refresh(user)
    assert services.authenticate("li.wei@example.org", "a much longer one") is not None
    assert services.authenticate("li.wei@example.org", "correct horse battery") is None
    assert "a much longer one" not in user.password_hash


def test_create_user_command_makes_an_admin_with_a_hashed_password(app, runner):
    result = runner.invoke(args=["create-user", "Head@Example.org", "--admin", "--password",
                                 "launch window opens"])
    assert result.exit_code == 0, result.output
    assert "Created admin head@example.org" in result.output
    user = db.session.scalars(db.select(User)).one()
    assert user.is_admin and user.password_hash.startswith("scrypt:")

    again = runner.invoke(args=["create-user", "head@example.org", "--password", "launch window opens"])
    assert again.exit_code != 0 and "exists already" in again.output
    weak = runner.invoke(args=["create-user", "new@example.org", "--password", "abc"])
    assert weak.exit_code != 0 and "at least 10" in weak.output


def test_a_deactivated_account_cannot_sign_in(app, client):
    user = make_organiser("li.wei@example.org")
    user.active = False
    db.session.commit()
    assert sign_in(client, "li.wei@example.org").status_code == 422


def test_create_user_command_refuses_control_characters_in_the_name_and_creates_nobody(app, runner):
    result = runner.invoke(args=["create-user", "head@example.org", "--name", "Li\x00 Wei", "--password",
                                 "launch window opens"])
    assert result.exit_code != 0 and "Remove the control characters from this text." in result.output
    assert db.session.scalars(db.select(User)).all() == []
