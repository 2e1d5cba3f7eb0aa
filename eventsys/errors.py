"""Error responses: `{"errors": {field: [messages]}}` under /api/, a readable page elsewhere."""

import math
import time
from typing import Any

import marshmallow as ma
from flask import Flask, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


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
        merged: dict[str, list[str]] = {}
        for location_messages in data["messages"].values():
            merged.update(flatten_messages(location_messages))
        return merged
    return {"request": [error.description or error.name]}


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
    return render_template("errors/error.html", error=error), error.code, headers


def handle_csrf_error(error: CSRFError):
    """A form without a valid CSRF token: usually an old tab; say so plainly."""
    message = "This form has expired or was not sent from our site. Go back, reload the page and try again."
    return render_template("errors/error.html", error=error, message=message), 400


def register_error_handlers(app: Flask) -> None:
    """Bind the handlers above to the app."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    # Also answers unforeseen errors: Flask logs them, then hands this handler a 500.
    app.register_error_handler(HTTPException, handle_http_exception)
