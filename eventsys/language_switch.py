"""The language switch on every page: remembers the choice in a cookie and returns to the page."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, request, url_for

from eventsys.extensions import limiter
from eventsys.locales import LANGUAGE_COOKIE
from eventsys.public_limits import public_link_limit

bp = Blueprint("language", __name__)

#: a year: the choice outlives the session, as a reader expects of a language
REMEMBER_SECONDS = 365 * 24 * 3600


def _back_to(target: str | None) -> str:
    """target when it is a path on this site, else the events list: never a way off the site."""
    parts = urlsplit(target or "")
    if (target or "").startswith("/") and not target.startswith("//") and "\\" not in target \
            and not parts.scheme and not parts.netloc:
        return target
    return url_for("events.index")


@bp.get("/language/<code>")
@limiter.limit(public_link_limit)
def switch(code: str):
    """Show pages in this language from now on, starting with the page the visitor came from."""
    if code not in current_app.config["SUPPORTED_LOCALES"]:
        abort(404)
    response = redirect(_back_to(request.args.get("next")), code=303)
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=REMEMBER_SECONDS, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response
