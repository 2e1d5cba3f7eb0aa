"""Who calls the organiser API (/api/v1/manage/): a personal API token, checked before any view runs.

Every route of an organiser blueprint (api/organiser/__init__.py makes them) is closed
by default, as the /manage/ pages are (manage/access.py), checked in this order:

1. `Authorization: Bearer <token>`. A missing, malformed, unknown, revoked or expired
   token, or one of a deactivated account, gets 401 with `WWW-Authenticate: Bearer`.
2. A read token may only read (GET): a write gets 403.
3. The token's rate limit (rate_limits.py): 429 with Retry-After.
4. A route with an event_id needs an event the token's user manages (an admin manages
   every one: accounts.services.may_manage), and every other id in its path must be
   of that event (manage.access.EVENT_PARTS). Anything else answers 404, exactly as an
   id that does not exist: another organiser's token learns nothing of events it
   does not manage (the pages say 403 to a signed-in colleague; a script gets less).
   Routes without an event_id serve every organiser, as the office pages do: the
   office's speakers and institutions, one's own events.
5. The Idempotency-Key of a write (idempotency.py).

The session cookie plays no part: a browser signed in to the workspace cannot be made
to call this API by another site, so CSRF does not apply to it.
"""

from flask import g, request
from flask_babel import gettext as _
from flask_smorest import abort

from eventsys.accounts.models import User
from eventsys.accounts.services import may_manage
from eventsys.api import idempotency, rate_limits
from eventsys.apitokens import services as tokens
from eventsys.apitokens.models import ApiToken, TokenScope
from eventsys.database import db
from eventsys.events.models import Event

#: ids at or past this cannot exist (INTEGER columns); PostgreSQL would refuse to compare them
_ID_LIMIT = 2**31
#: the challenge of a 401 (RFC 6750): the scheme, and why when a token was sent
CHALLENGE = 'Bearer realm="eventsys"'


def _unauthorised(message: str, token_sent: bool) -> None:
    challenge = f'{CHALLENGE}, error="invalid_token"' if token_sent else CHALLENGE
    abort(401, errors={"authorization": [message]}, headers={"WWW-Authenticate": challenge})


def presented_token() -> ApiToken:
    """The token of the Authorization header, checked; 401 when there is none that works."""
    header = request.headers.get("Authorization", "")
    scheme, _space, credentials = header.partition(" ")
    if not header:
        _unauthorised(_("Send a personal API token as Authorization: Bearer <token>; organisers make "
                        "them on their account page."), token_sent=False)
    if scheme.lower() != "bearer" or not credentials.strip():
        _unauthorised(_("Send the token as Authorization: Bearer <token>."), token_sent=False)
    try:
        return tokens.authenticate(credentials.strip())
    except tokens.TokenRefused as refused:
        _unauthorised(str(refused), token_sent=True)


def _not_found(name: str) -> None:
    abort(404, errors={name: [_("There is nothing with this id among what you manage.")]})


def _require_event(user: User, view_args: dict) -> None:
    """404 unless the event of the path is the user's to manage and every other id in the path is its."""
    from eventsys.manage.access import require_parts_of  # the pages' own rule; manage imports every page

    event_id = view_args["event_id"]
    event = db.session.get(Event, event_id)
    if event is None or not may_manage(user, event.id):
        _not_found("event_id")
    require_parts_of(event.id, view_args)
    g.api_event = event


def authorise():
    """Before every organiser API view: token, scope, rate, access, then the idempotency key."""
    token = presented_token()
    if request.method not in rate_limits.READ_METHODS and token.scope is not TokenScope.write:
        abort(403, errors={"authorization": [_("This token may only read: make a read and write token on "
                                               "your account page to change anything.")]})
    rate_limits.check_token_limit(token, request.method)
    user = token.user
    tokens.note_use(token, request.remote_addr)
    g.api_token, g.api_user = token, user
    view_args = request.view_args or {}
    for name, value in view_args.items():
        if isinstance(value, int) and not 0 < value < _ID_LIMIT:
            _not_found(name)
    if "event_id" in view_args:
        _require_event(user, view_args)
    return idempotency.claim_or_replay(user.id)


def api_user() -> User:
    """The user whose token made this request: the API acts as them."""
    return g.api_user


def managed_event() -> Event:
    """The event of an event route, loaded and checked before the view ran."""
    return g.api_event
