"""What each organiser API operation documents besides its own answer: the token, and the common errors.

Each view says `@reads(blp)` or `@writes(blp, conflict=…)` under its own decorators;
this adds the bearer security requirement and the error answers the checks before
the view can give (api/auth.py), so the OpenAPI document lists every status a
client can meet, each in the one error shape.
"""

from collections.abc import Callable

from apispec import APISpec

from eventsys.api import idempotency
from eventsys.errors import ErrorsSchema

SCHEME = "bearerAuth"
SECURITY_SCHEME = {
    "type": "http", "scheme": "bearer", "bearerFormat": "esk_<id>_<secret>",
    "description": "A personal API token, made on the organiser's account page (/account/api-tokens) and "
                   "shown once. It acts as its organiser, with the same permissions as on the web: read "
                   "tokens may only GET. Tokens expire if made so, and can be revoked at any time.",
}
#: the headers of a 429, and of a 409 while a key's first request runs
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                               "schema": {"type": "integer"}}}

#: response components every operation refers to, by name
RESPONSES = {
    "TokenRefused": {
        "description": "No token, or one that is malformed, unknown, revoked or expired, or whose account is "
                       "deactivated; `errors.authorization` says which",
        "headers": {"WWW-Authenticate": {"description": 'Bearer realm="eventsys"',
                                         "schema": {"type": "string"}}},
    },
    "ReadOnlyToken": {"description": "The token may only read"},
    "NotManaged": {"description": "Nothing with this id among what the token's organiser manages (an event "
                                  "of another organiser answers so too)"},
    "TooManyRequests": {"description": "The token's rate limit is reached; Retry-After says in how many "
                                       "seconds to try again", "headers": RETRY_AFTER},
    "Invalid": {"description": "The request's values (or its Idempotency-Key) cannot be taken; "
                               "`errors` names each field"},
}


def register_components(spec: APISpec) -> None:
    """Add the security scheme and the shared error answers to the app's OpenAPI document."""
    spec.components.security_scheme(SCHEME, SECURITY_SCHEME)
    for name, response in RESPONSES.items():
        content = {"application/json": {"schema": ErrorsSchema}}
        spec.components.response(name, {**response, "content": content})


def _stacked(decorators: list[Callable]) -> Callable:
    def decorate(view: Callable) -> Callable:
        for decorator in reversed(decorators):
            view = decorator(view)
        return view
    return decorate


def reads(blp, *, found: bool = True) -> Callable:
    """A reading operation: the token, 401, 429, and 404 when its path names something (found)."""
    decorators = [blp.doc(security=[{SCHEME: []}]), blp.alt_response(401, "TokenRefused"),
                  blp.alt_response(429, "TooManyRequests")]
    if found:
        decorators.append(blp.alt_response(404, "NotManaged"))
    return _stacked(decorators)


def writes(blp, *, found: bool = True, conflict: str | None = None) -> Callable:
    """A writing operation: as reads, plus 403 for read tokens, 422, 409 and the Idempotency-Key header.

    conflict: what else a 409 means here (a cancelled event, a seat rule…), besides a key
    whose first request still runs.
    """
    busy = "The first request with this Idempotency-Key is still running (Retry-After says when to try again)"
    decorators = [
        blp.doc(security=[{SCHEME: []}], parameters=[idempotency.PARAMETER]),
        blp.alt_response(401, "TokenRefused"), blp.alt_response(403, "ReadOnlyToken"),
        blp.alt_response(422, "Invalid"), blp.alt_response(429, "TooManyRequests"),
        blp.alt_response(409, schema=ErrorsSchema, headers=RETRY_AFTER,
                         description=f"{conflict}; or: {busy}" if conflict else busy),
    ]
    if found:
        decorators.append(blp.alt_response(404, "NotManaged"))
    return _stacked(decorators)
