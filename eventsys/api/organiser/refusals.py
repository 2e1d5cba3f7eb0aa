"""How the services' refusals become API answers, in the one error shape.

A refusal that names fields (a title missing, a slug taken) is about the request's
values: 422, each message under its field. One that concerns the whole (the event is
cancelled, a seat is not free, a speaker is still invited) is about the state of
what the request would change: 409, under "request". Either way nothing was written.
"""

from typing import NoReturn

from flask_smorest import abort


def refuse(errors: dict[str, str | list[str]]) -> NoReturn:
    """Answer a service's refusal: 422 when it names fields, 409 when it is about the whole ("" or None)."""
    by_field: dict[str, list[str]] = {}
    for name, messages in errors.items():
        listed = [messages] if isinstance(messages, str) else list(messages)
        by_field.setdefault(name or "request", []).extend(str(message) for message in listed)
    abort(409 if set(by_field) == {"request"} else 422, errors=by_field)


def conflict(message: str, field: str = "request") -> NoReturn:
    """Answer 409: the state of what the request would change does not allow it (field: what it is about)."""
    abort(409, errors={field: [str(message)]})
