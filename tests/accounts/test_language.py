"""An organiser sets their language on their account: their emails, and pages without the switch, use it."""

import sqlalchemy as sa

from eventsys.accounts.models import User
from eventsys.database import db
from tests.factories import csrf_token, make_organiser, sign_in

ORGANISER = "office@astro.example.edu"
PATH = "/account/language"


def _locale() -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(User.locale).where(User.email == ORGANISER))


def test_a_new_account_has_chosen_nothing_so_its_pages_follow_the_browser_and_its_emails_are_english(
    app, client
):
    from eventsys.accounts.services import language_of_organiser

    make_organiser(ORGANISER)
    assert _locale() is None
    assert language_of_organiser(ORGANISER) == "en"
    sign_in(client, ORGANISER)
    page = client.get(PATH, headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert '<html lang="ru">' in page.text


def test_the_organiser_chooses_russian_and_the_workspace_follows_without_a_cookie(app, client):
    make_organiser(ORGANISER)
    sign_in(client, ORGANISER)
    page = client.get(PATH, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Sign out" in page.text
    saved = client.post(
        PATH, headers={"Accept-Language": "en"}, data={"csrf_token": csrf_token(client, PATH), "locale": "ru"}
    )
    assert saved.status_code == 303
    assert _locale() == "ru"
    # No lang cookie: the account's language wins over the browser's English.
    assert "Выйти" in client.get("/manage/", headers={"Accept-Language": "en"}).text
    # The switch's cookie still wins over the account.
    client.get("/language/zh")
    assert "退出登录" in client.get("/manage/").text


def test_the_public_pages_of_a_visitor_follow_the_browser(app, client):
    assert 'lang="ru"' in client.get("/", headers={"Accept-Language": "ru"}).text


def test_a_language_not_offered_or_a_missing_token_changes_nothing(app, client):
    make_organiser(ORGANISER)
    sign_in(client, ORGANISER)
    refused = client.post(PATH, data={"csrf_token": csrf_token(client, PATH), "locale": "fr"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.text
    assert client.post(PATH, data={"locale": "ru"}).status_code in (400, 422)
    assert _locale() is None


def test_the_page_needs_a_signed_in_organiser(app, client):
    assert client.get(PATH).status_code == 302


def test_too_many_sign_in_attempts_are_told_in_our_words_not_the_limiters(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    make_organiser(ORGANISER)
    answers = [sign_in(client, ORGANISER, f"guess number {n}") for n in range(3)]
    assert [answer.status_code for answer in answers] == [422, 422, 429]
    assert "Too many requests. Try again in a minute." in answers[-1].text
    assert "per 1 minute" not in answers[-1].text
