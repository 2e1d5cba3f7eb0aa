"""Who may open which page of /manage/, checked before any view runs."""

from collections.abc import Callable
from enum import StrEnum

import sqlalchemy as sa
from flask import abort, current_app, g, request
from flask_login import current_user

from eventsys.accounts.models import EventManager
from eventsys.accounts.services import may_manage
from eventsys.database import db
from eventsys.events.models import Event, ProgrammeItem
from eventsys.extensions import login_manager
from eventsys.invitations.models import Invitation
from eventsys.mail.models import OutboundEmail
from eventsys.manage import bp
from eventsys.messages.models import Mailing
from eventsys.registration.models import Question, Registration
from eventsys.speakers.models import Engagement
from eventsys.visas.models import VisaLetter


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


#: every id an event page's URL may carry besides event_id: the column it names, and the event column
#: that must equal the URL's event. A route with an id missing here fails loudly (the route walk sees it).
EVENT_PARTS = {
    "registration_id": (Registration.id, Registration.event_id),
    "question_id": (Question.id, Question.event_id),
    "item_id": (ProgrammeItem.id, ProgrammeItem.event_id),
    "engagement_id": (Engagement.id, Engagement.event_id),
    "email_id": (OutboundEmail.id, OutboundEmail.event_id),
    "user_id": (EventManager.user_id, EventManager.event_id),
    "letter_id": (VisaLetter.id, VisaLetter.event_id),
    "invitation_id": (Invitation.id, Invitation.event_id),
    "mailing_id": (Mailing.id, Mailing.event_id),
}
#: ids at or past this cannot exist (INTEGER columns); PostgreSQL would refuse to compare them
_ID_LIMIT = 2**31


def require_parts_of(event_id: int, view_args: dict) -> None:
    """404 unless every other id in the URL names something of this event.

    Checked here, once for every route, so that another event's id answers as an
    unknown one does, whatever the view would have done with it: a refusal page
    or a redirect would tell that the id exists, and a view that forgot the check
    would act on another event.
    """
    for name, value in view_args.items():
        if name == "event_id" or not isinstance(value, int):
            continue
        if name not in EVENT_PARTS:
            raise LookupError(f"<int:{name}> in an event page's URL: say in access.EVENT_PARTS whose it is")
        id_column, event_column = EVENT_PARTS[name]
        if not 0 < value < _ID_LIMIT or not db.session.scalar(
            sa.select(sa.exists().where(id_column == value, event_column == event_id))
        ):
            abort(404)


def current_event() -> Event:
    """The event of an event page, loaded and checked before the view ran."""
    return g.managed_event


@bp.before_request
def _require_access():
    """Sign-in first, then the route's own access rule; routes without a rule are closed."""
    g.pop("refusal", None)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    view = current_app.view_functions.get(request.endpoint)
    access = getattr(view, "access", None)
    if access is Access.office:
        return None
    if access is Access.admin:
        if not current_user.is_admin:
            g.refusal = access  # what the refusal page says (refusals.py)
            abort(403)
        return None
    if access is Access.event:
        event_id = (request.view_args or {}).get("event_id")
        event = db.session.get(Event, event_id) if isinstance(event_id, int) else None
        if event is None:
            abort(404)
        if not may_manage(current_user, event.id):
            g.refusal = access
            abort(403)
        require_parts_of(event.id, request.view_args)
        g.managed_event = event
        return None
    abort(403)
