"""The workspace's 403: a signed-in organiser told, in the workspace's own layout, why a page is not theirs.

access.py refuses before any view runs and notes which rule refused (g.refusal);
the page says it in plain words and leads back to My events. Whoever is not signed
in never gets here (access sends them to sign in), and a client asking for JSON
gets the app's usual answer (errors.handle_http_exception).
"""

from flask import g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from eventsys.errors import handle_http_exception
from eventsys.manage import bp
from eventsys.manage.access import Access


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


def _reason() -> tuple[str, str]:
    """The page's heading and its explanation, for the rule that refused."""
    refusal = g.get("refusal")
    if refusal is Access.admin:
        return (_("This page is for administrators"),
                _("Only the office's administrators can open it. Your own events are under My events."))
    if refusal is Access.event:
        return (_("You are not an organiser of this event"),
                _("Only the event's organisers can open its pages. If you should be one, ask an "
                  "administrator to add you to the event."))
    return (_("You cannot open this page"),
            _("Your account does not give access to it. Your own events are under My events."))


@bp.errorhandler(Forbidden)
def refused(error: Forbidden):
    """The workspace's refusal page, for signed-in organisers; the usual error answer for anyone else."""
    if not current_user.is_authenticated or _wants_json():
        return handle_http_exception(error)
    heading, explanation = _reason()
    return render_template("manage/forbidden.html", heading=heading, explanation=explanation), 403
