"""The organisers' workspace under /manage/: one blueprint, closed by default.

Every route here needs a signed-in organiser, and says who else may use it with one
of the decorators in `access`: an event's pages need a manager of that event, the
office-wide pages any organiser, the admin pages an admin. A route without one of
them answers 403 to everybody, so a forgotten check cannot open a page.
"""

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/manage")

from eventsys.manage import access, health, home  # noqa: E402,F401  (routes and hooks of bp)
