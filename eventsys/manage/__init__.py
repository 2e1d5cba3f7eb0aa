"""The organisers' workspace under /manage/: one blueprint, closed by default.

Every route here needs a signed-in organiser, and says who else may use it with one
of the decorators in `access`: an event's pages need a manager of that event, the
office-wide pages any organiser, the admin pages an admin. A route without one of
them answers 403 to everybody, so a forgotten check cannot open a page. Any other
id in an event page's URL (a registration, a programme item…) must be of that
event, or the page answers 404 as for an unknown id (`access.EVENT_PARTS`).
"""

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/manage")

# The routes of bp, each beside its domain; imported here so that registering bp registers them all.
from eventsys.badges import manage_views as _badges  # noqa: E402,F401
from eventsys.certificates import manage_views as _certificates  # noqa: E402,F401
from eventsys.events import manage_views as _events  # noqa: E402,F401
from eventsys.invitations import manage_views as _invitations  # noqa: E402,F401
from eventsys.manage import access, email_pages, health, home, outbox_pages, refusals  # noqa: E402,F401
from eventsys.messages import views as _messages  # noqa: E402,F401
from eventsys.registration import checkin_views as _checkin  # noqa: E402,F401
from eventsys.registration import manage_views as _registrations  # noqa: E402,F401
from eventsys.reports import views as _reports  # noqa: E402,F401
from eventsys.retention import manage_views as _retention  # noqa: E402,F401
from eventsys.speakers import manage_views as _speakers  # noqa: E402,F401
from eventsys.visas import manage_views as _visas  # noqa: E402,F401
from eventsys.webhooks import manage_views as _webhooks  # noqa: E402,F401
