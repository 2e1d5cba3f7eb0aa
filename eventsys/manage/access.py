"""Who may open which page of /manage/, checked before any view runs."""

from collections.abc import Callable
from enum import StrEnum

from flask import abort, current_app, g, request
from flask_login import current_user

from eventsys.accounts.services import may_manage
from eventsys.database import db
from eventsys.events.models import Event
from eventsys.extensions import login_manager
from eventsys.manage import bp


class Access(StrEnum):
    #: managers of the event named by the route's event_id, and admins
    event = "event"
    #: every signed-in organiser (shared records: the speaker directory, institutions)
    office = "office"
    #: admins only (the outbox of the whole office)
    admin = "admin"


def _marked(access: Access) -> Callable:
    def decorate(view: Callable) -> Callable:
        view.access = access
        return view
    return decorate


#: decorators, put above @bp.route's view function (below the route decorator)
event_page = _marked(Access.event)
office_page = _marked(Access.office)
admin_page = _marked(Access.admin)


def current_event() -> Event:
    """The event of an event page, loaded and checked before the view ran."""
    return g.managed_event


@bp.before_request
def _require_access():
    """Sign-in first, then the route's own access rule; routes without a rule are closed."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    view = current_app.view_functions.get(request.endpoint)
    access = getattr(view, "access", None)
    if access is Access.office:
        return None
    if access is Access.admin:
        if not current_user.is_admin:
            abort(403)
        return None
    if access is Access.event:
        event_id = (request.view_args or {}).get("event_id")
        event = db.session.get(Event, event_id) if isinstance(event_id, int) else None
        if event is None:
            abort(404)
        if not may_manage(current_user, event.id):
            abort(403)
        g.managed_event = event
        return None
    abort(403)
