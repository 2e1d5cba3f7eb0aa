"""Public pages: the list of upcoming events, one event, and its calendar file."""

from flask import Blueprint, Response, abort, render_template, request

from eventsys.events import services
from eventsys.events.calendar import event_calendar
from eventsys.events.models import EventKind
from eventsys.links import external_url

bp = Blueprint("events", __name__)


@bp.get("/")
def index():
    """Upcoming published events, optionally of one kind (?kind=lecture)."""
    kind_name = request.args.get("kind") or None
    try:
        kind = EventKind(kind_name) if kind_name else None
    except ValueError:
        abort(400, description=f"Unknown kind of event: {kind_name}.")
    events = services.upcoming_events(kind)
    return render_template("events/index.html", events=events, kind=kind, kinds=list(EventKind))


@bp.get("/events/<slug:slug>")
def detail(slug: str):
    """One event with its programme, speakers and seats left."""
    event = services.public_event(slug) or abort(404)
    return render_template("events/detail.html", event=event, speakers=services.event_speakers(event))


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
