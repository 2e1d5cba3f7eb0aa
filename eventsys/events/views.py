"""Public pages: the list of upcoming events, one event, and its calendar file."""

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.events import services
from eventsys.events.calendar import event_calendar
from eventsys.events.models import EventKind
from eventsys.links import external_url

bp = Blueprint("events", __name__)

#: the filters of the list of events, one per kind
KIND_PLURALS = {
    EventKind.conference: _l("Conferences"),
    EventKind.symposium: _l("Symposiums"),
    EventKind.forum: _l("Forums"),
    EventKind.competition: _l("Competitions"),
    EventKind.lecture: _l("Lectures"),
}
#: the names the event pages' templates use for the labels above
_LABELS = {"kind_plurals": KIND_PLURALS}


@bp.get("/")
def index():
    """Upcoming published events, optionally of one kind (?kind=lecture)."""
    kind_name = request.args.get("kind") or None
    try:
        kind = EventKind(kind_name) if kind_name else None
    except ValueError:
        abort(400, description=_("Unknown kind of event: %(kind)s.", kind=kind_name))
    events = services.upcoming_events(kind)
    return render_template("events/index.html", events=events, kind=kind, kinds=list(EventKind), **_LABELS)


@bp.get("/events/<slug:slug>")
def detail(slug: str):
    """One event with its programme, speakers and seats left."""
    event = services.public_event(slug) or abort(404)
    return render_template("events/detail.html", event=event, speakers=services.event_speakers(event),
                           **_LABELS)


@bp.get("/events/<slug:slug>.ics")
def calendar(slug: str):
    """The event as an iCalendar file to add to a calendar."""
    event = services.public_event(slug) or abort(404)
    # Links and UID from BASE_URL, like the emailed copy: a forged Host header changes neither.
    body = event_calendar(event, external_url("events.detail", slug=slug))
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{slug}.ics"'},
    )
