"""Error responses: `{"errors": {field: [messages]}}` under /api/, a readable page elsewhere."""

import math
import time
from typing import Any

import marshmallow as ma
from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

#: the names of the errors people meet, in the reader's language (the English is werkzeug's own)
ERROR_NAMES = {
    400: _l("Bad Request"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    410: _l("Gone"),
    422: _l("Unprocessable Entity"),
    429: _l("Too Many Requests"),
    500: _l("Internal Server Error"),
}
#: werkzeug's own explanations of those errors, shown when nobody gave a better one
DEFAULT_DESCRIPTIONS = {
    400: _l("The browser (or proxy) sent a request that this server could not understand."),
    403: _l("You don't have the permission to access the requested resource. It is either read-protected "
            "or not readable by the server."),
    404: _l("The requested URL was not found on the server. If you entered the URL manually please check "
            "your spelling and try again."),
    405: _l("The method is not allowed for the requested URL."),
    410: _l("The requested URL is no longer available on this server and there is no forwarding address. "
            "If you followed a link from a foreign page, please contact the author of this page."),
    422: _l("The request was well-formed but was unable to be followed due to semantic errors."),
    429: _l("This user has exceeded an allotted request count. Try again later."),
    500: _l("The server encountered an internal error and was unable to complete your request. Either the "
            "server is overloaded or there is an error in the application."),
}


def error_name(error: HTTPException) -> str:
    """The error's name, in the reader's language where we know it."""
    return str(ERROR_NAMES.get(error.code, error.name))


def too_many_requests() -> str:
    """What a client over a rate limit is told, in its language: when to try again."""
    seconds = seconds_until_allowed()
    if seconds <= 60:
        return _("Too many requests. Try again in a minute.")
    return ngettext("Too many requests. Try again in %(num)d minute.",
                    "Too many requests. Try again in %(num)d minutes.", math.ceil(seconds / 60))


def error_description(error: HTTPException) -> str | None:
    """What the error says: its own words when it was given some, else werkzeug's, translated."""
    if isinstance(error, RateLimitExceeded) and not error.limit.error_message:
        # Flask-Limiter's own words are the limit itself ("5 per 1 minute"), in English.
        return too_many_requests()
    default = DEFAULT_DESCRIPTIONS.get(error.code)
    if default is not None and error.description == type(error).description:
        return str(default)
    return error.description


def render_error_page(error: HTTPException, message: str | None = None) -> str:
    """The readable error page: the error's name, and the message or the error's description."""
    return render_template("errors/error.html", error=error, name=error_name(error),
                           message=message or error_description(error))


class ErrorsSchema(ma.Schema):
    """Every API error, documented in the OpenAPI document as what handle_http_exception sends."""

    errors = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True,
        metadata={"description": 'Messages by field: "name", "answers.<question id>", "body" for the '
                                 'body as a whole, "request" for the request as a whole'},
    )


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn nested validation messages into one level: {"answers.3": ["Enter a number."]}."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = "body" if key == "_schema" else str(key)
            flat.update(flatten_messages(value, f"{prefix}.{name}" if prefix else name))
        return flat
    if isinstance(messages, (list, tuple)) and all(isinstance(m, str) for m in messages):
        return {prefix or "body": list(messages)}
    if isinstance(messages, (list, tuple)):
        flat = {}
        for index, value in enumerate(messages):
            flat.update(flatten_messages(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "body": [str(messages)]}


def api_errors(error: HTTPException) -> dict[str, list[str]]:
    """The field errors an API error carries, or the error's own description."""
    data = getattr(error, "data", None) or {}
    if "errors" in data:
        return data["errors"]
    if "messages" in data:
        # webargs groups messages by location ("json", "query"); the client only needs the field.
        from eventsys.api.messages import in_request_language  # the api package imports this module

        merged: dict[str, list[str]] = {}
        for location_messages in data["messages"].values():
            merged.update(flatten_messages(location_messages))
        return {name: [in_request_language(message) for message in messages]
                for name, messages in merged.items()}
    return {"request": [error_description(error) or error_name(error)]}


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def seconds_until_allowed() -> int:
    """Seconds until the rate limit this request just broke lets the client through again."""
    from eventsys.extensions import limiter  # extensions imports this module for ErrorsSchema

    current = limiter.current_limit
    if current is None:
        return 60
    # reset_at is whole seconds from Redis's TTL: rounding up can pass the window by one.
    return max(1, min(math.ceil(current.reset_at - time.time()), current.limit.get_expiry()))


def _protocol_headers(error: HTTPException) -> dict[str, str]:
    """The headers the error itself carries (Allow on a 405, WWW-Authenticate on a 401…), bar its type.

    A 429 from a rate limit carries Retry-After. Flask-Limiter would add it only with its
    rate-limit headers on every answer, which cost a round trip to Redis per request.
    """
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    headers.update((getattr(error, "data", None) or {}).get("headers") or {})
    if isinstance(error, RateLimitExceeded):
        headers.setdefault("Retry-After", str(seconds_until_allowed()))
    return headers


def handle_http_exception(error: HTTPException):
    """Answer in the language of whoever asked: JSON for the API, HTML for people."""
    headers = _protocol_headers(error)
    if _is_api_request():
        return {"errors": api_errors(error)}, error.code, headers
    return render_error_page(error), error.code, headers


def handle_csrf_error(error: CSRFError):
    """A form without a valid CSRF token: usually an old tab; say so plainly."""
    message = _("This form has expired or was not sent from our site. "
                "Go back, reload the page and try again.")
    return render_error_page(error, message), 400


def register_error_handlers(app: Flask) -> None:
    """Bind the handlers above to the app."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    # Also answers unforeseen errors: Flask logs them, then hands this handler a 500.
    app.register_error_handler(HTTPException, handle_http_exception)
