"""How fast one personal API token may call the organiser API: per token, reads and writes apart.

Counted per token, not per address: a script behind a university's one NAT address
must not starve a colleague's, and a token cannot escape its limit by changing
address. Reads (GET) and writes count apart (ORGANISER_API_READ_LIMIT and
ORGANISER_API_WRITE_LIMIT), so a script syncing a list does not block the same
organiser's check-in desk.

The counters live in Flask-Limiter's storage, as the registration limits' do: Redis
when REDIS_URL is set, so every process shares them; memory otherwise. They are
counted after the token is checked (a stranger cannot use up someone's allowance by
sending their token's public id with a wrong secret). A refused request gets 429 with
Retry-After, in seconds, and the usual error body.
"""

import logging
import math
import time

from flask import current_app
from flask_babel import ngettext
from flask_smorest import abort
from limits import parse_many

from eventsys.apitokens.models import ApiToken
from eventsys.extensions import limiter

log = logging.getLogger(__name__)

#: methods counted as reads; everything else is a write
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _too_many(seconds: int) -> str:
    # Translators: the English singular says "seconds" too; translate both forms for your language.
    return ngettext("Too many requests with this token; try again in %(num)s seconds.",
                    "Too many requests with this token; try again in %(num)s seconds.", seconds)


def check_token_limit(token: ApiToken, method: str) -> None:
    """Count this request against the token's limit; 429 with Retry-After when it is over."""
    if not limiter.enabled:
        return
    kind = "read" if method in READ_METHODS else "write"
    setting = current_app.config[f"ORGANISER_API_{kind.upper()}_LIMIT"]
    identity = (current_app.config["RATELIMIT_KEY_PREFIX"], "organiser-api", kind, token.public_id)
    for item in parse_many(setting):
        try:
            allowed = limiter.limiter.hit(item, *identity)
            reset_at = None if allowed else limiter.limiter.get_window_stats(item, *identity).reset_time
        except Exception as problem:  # the storage is down: serve, as the sign-in limit does
            log.warning("organiser API rate limit not counted: %s", problem)
            return
        if not allowed:
            seconds = max(1, min(math.ceil(reset_at - time.time()), item.get_expiry()))
            abort(429, errors={"request": [_too_many(seconds)]}, headers={"Retry-After": str(seconds)})
