"""Which of our supported languages to use for a person."""

from flask import current_app, request


def supported_locale(wanted: str | None) -> str | None:
    """The supported locale matching a tag like 'ru-RU' or 'zh_Hans', or None."""
    if not wanted:
        return None
    language = wanted.replace("_", "-").split("-")[0].lower()
    return language if language in current_app.config["SUPPORTED_LOCALES"] else None


def request_locale() -> str:
    """The supported language the visitor's browser prefers, else the first supported one."""
    supported = current_app.config["SUPPORTED_LOCALES"]
    return request.accept_languages.best_match(supported) or supported[0]
