"""Which of our languages a person reads, and Flask-Babel set up to use it.

A page is in the language its visitor chose with the switch on every page (a cookie),
else, for a signed-in organiser, the one set on their account, else the best match of
their browser's, else English. Everything on the page follows
that one choice: the words, the dates, the numbers and the country names. An email is
in the language stored with its recipient (mail.rendering renders it under
flask_babel.force_locale), whoever caused it.
"""

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, get_locale

#: the languages eventsys speaks, by code, each named in itself (as the switch shows them)
LANGUAGES = {"en": "English", "zh": "中文", "ru": "Русский"}
#: the cookie that remembers a visitor's choice
LANGUAGE_COOKIE = "lang"
#: a new speaker's language when the organiser names none: where they work says what they most likely
#: read (a Russian academician's invitation in Russian); everyone else gets English, the office's common one
LANGUAGE_OF_COUNTRY = {"CN": "zh", "TW": "zh", "HK": "zh", "MO": "zh", "RU": "ru", "BY": "ru", "KZ": "ru",
                       "KG": "ru"}

babel = Babel()


def supported_locale(wanted: str | None) -> str | None:
    """The supported locale matching a tag like 'ru-RU' or 'zh_Hans', or None."""
    if not wanted:
        return None
    language = wanted.replace("_", "-").split("-")[0].lower()
    return language if language in current_app.config["SUPPORTED_LOCALES"] else None


def language_for_country(country: str | None) -> str:
    """The language a speaker working in this country (ISO alpha-2) most likely reads: zh, ru or en."""
    language = LANGUAGE_OF_COUNTRY.get((country or "").upper(), "en")
    return language if language in current_app.config["SUPPORTED_LOCALES"] else "en"


#: what a spreadsheet's language cell may say besides the code: the name in English, and in itself
LANGUAGE_NAMES = {"english": "en", "chinese": "zh", "russian": "ru",
                  **{name.lower(): code for code, name in LANGUAGES.items()}}


def language_code(cell: str) -> str | None:
    """The supported language a cell names ("ru", "Russian", "Русский"), None if it names none."""
    wanted = cell.strip().lower()
    code = wanted if wanted in LANGUAGES else LANGUAGE_NAMES.get(wanted)
    return code if code in current_app.config["SUPPORTED_LOCALES"] else None


def _signed_in_language() -> str | None:
    """The language a signed-in organiser set on their account, None for anyone else."""
    # Imported here: flask_login's user is only looked at (from the session) when a page asks.
    from flask_login import current_user

    if "_user_id" not in session:  # a visitor: no account to read, and no query for one
        return None
    return supported_locale(getattr(current_user, "locale", None))


def choose_locale() -> str:
    """The page's language: the visitor's choice, else their account's, else their browser's, else the first.

    Outside a request (a worker rendering an email without saying in which language) it
    is the first: emails are rendered under force_locale with their recipient's.
    """
    supported = current_app.config["SUPPORTED_LOCALES"]
    if not has_request_context():
        return supported[0]
    chosen = supported_locale(request.cookies.get(LANGUAGE_COOKIE)) or _signed_in_language()
    return chosen or request.accept_languages.best_match(supported) or supported[0]


def current_language() -> str:
    """The language being written in now: the page's, or the email's being rendered; "en" outside both."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def switched_language() -> str | None:
    """The language the visitor chose with the switch on the page, None when they chose none."""
    return supported_locale(request.cookies.get(LANGUAGE_COOKIE)) if has_request_context() else None


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
