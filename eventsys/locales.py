"""Which of our languages a person reads, and Flask-Babel set up to use it.

A page is in the language its visitor chose with the switch on every page (a cookie),
else the best match of their browser's, else English. Everything on the page follows
that one choice: the words, the dates, the numbers and the country names. An email is
in the language stored with its recipient (mail.rendering renders it under
flask_babel.force_locale), whoever caused it.
"""

from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, get_locale

#: the languages eventsys speaks, by code, each named in itself (as the switch shows them)
LANGUAGES = {"en": "English", "zh": "中文", "ru": "Русский"}
#: the cookie that remembers a visitor's choice
LANGUAGE_COOKIE = "lang"

babel = Babel()


def supported_locale(wanted: str | None) -> str | None:
    """The supported locale matching a tag like 'ru-RU' or 'zh_Hans', or None."""
    if not wanted:
        return None
    language = wanted.replace("_", "-").split("-")[0].lower()
    return language if language in current_app.config["SUPPORTED_LOCALES"] else None


def choose_locale() -> str:
    """The page's language: the visitor's choice, else their browser's best match, else the first.

    Outside a request (a worker rendering an email without saying in which language) it
    is the first: emails are rendered under force_locale with their recipient's.
    """
    supported = current_app.config["SUPPORTED_LOCALES"]
    if not has_request_context():
        return supported[0]
    chosen = supported_locale(request.cookies.get(LANGUAGE_COOKIE))
    return chosen or request.accept_languages.best_match(supported) or supported[0]


def current_language() -> str:
    """The language being written in now: the page's, or the email's being rendered; "en" outside both."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def request_locale() -> str:
    """The language of this request's page, to store with what the visitor sends (their emails use it).

    choose_locale itself, not Flask-Babel's get_locale: the same answer within a request,
    without parsing a babel Locale that a registration never uses (2.5% of its CPU).
    """
    return choose_locale()


def init_babel(app: Flask) -> None:
    """Flask-Babel with our selector; templates get the language list for the switch."""
    babel.init_app(app, locale_selector=choose_locale)

    @app.context_processor
    def _languages() -> dict:
        return {"languages": LANGUAGES, "page_locale": current_language()}
