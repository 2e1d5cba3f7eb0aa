"""Public pages: the list of upcoming events, one event, and its calendar file."""

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.events import services
from eventsys.events.calendar import event_calendar
from eventsys.events.models import EventKind, EventMode
from eventsys.links import external_url
from eventsys.speakers.models import SpeakerRole

bp = Blueprint("events", __name__)

#: how the public pages name each kind of event: on its tag, and as the heading of its filter
KIND_LABELS = {
    # Translators: the kinds of event are on an event's tag, in lower case.
    EventKind.conference: _l("conference"),
    EventKind.symposium: _l("symposium"),
    EventKind.forum: _l("forum"),
    EventKind.competition: _l("competition"),
    EventKind.lecture: _l("lecture"),
}
#: the filters of the list of events, one per kind
KIND_PLURALS = {
    EventKind.conference: _l("Conferences"),
    EventKind.symposium: _l("Symposiums"),
    EventKind.forum: _l("Forums"),
    EventKind.competition: _l("Competitions"),
    EventKind.lecture: _l("Lectures"),
}
#: how an event is held, on its tag
MODE_LABELS = {
    # Translators: on an event's tag: the event takes place in a room.
    EventMode.in_person: _l("in person"),
    # Translators: on an event's tag: the event takes place on the internet.
    EventMode.online: _l("online"),
    # Translators: on an event's tag: in a room and on the internet at once.
    EventMode.hybrid: _l("hybrid"),
}
#: what a speaker does at the event, beside their name
ROLE_LABELS = {
    # Translators: a speaker's role at an event, beside their name.
    SpeakerRole.keynote: _l("keynote"),
    SpeakerRole.invited_talk: _l("invited talk"),
    # Translators: a speaker's role at an event: one of the people on a panel discussion.
    SpeakerRole.panel: _l("panel"),
    SpeakerRole.online_lecture: _l("online lecture"),
}
#: the names the event pages' templates use for the labels above
_LABELS = {"kind_labels": KIND_LABELS, "kind_plurals": KIND_PLURALS, "mode_labels": MODE_LABELS,
           "role_labels": ROLE_LABELS}


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
