"""Public pages: the list of upcoming events, one event, its preview card and its calendar files."""

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.events import services
from eventsys.events.availability import availability
from eventsys.events.calendar import event_calendar, programme_calendar
from eventsys.events.calendar_links import calendar_links
from eventsys.events.cards import event_card
from eventsys.events.models import EventKind
from eventsys.events.previews import event_preview
from eventsys.extensions import limiter
from eventsys.links import external_url
from eventsys.locales import current_language, supported_locale
from eventsys.public_limits import public_link_limit
from eventsys.speakers.public import speaker_slug

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
#: how long a preview card may be kept: its URL changes with each edit of the event
CARD_CACHE = "public, max-age=604800"


@bp.app_context_processor
def _seat_availability() -> dict:
    """availability(event) in every template: the registration form speaks of the waiting list too."""
    return {"availability": availability}



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
    """One event with its programme, speakers, seats left, link-preview tags and calendar links."""
    event = services.public_event(slug) or abort(404)
    event_url = external_url("events.detail", slug=slug)
    return render_template("events/detail.html", event=event, speakers=services.event_speakers(event),
                           preview=event_preview(event, current_language()), seats=availability(event),
                           calendar_links=calendar_links(event, event_url), speaker_slug=speaker_slug,
                           **_LABELS)


@bp.get("/events/<slug:slug>/card.png")
@limiter.limit(public_link_limit)
def card(slug: str):
    """The event's link-preview picture; ?lang= picks its language (robots send no cookie)."""
    event = services.public_event(slug) or abort(404)
    language = supported_locale(request.args.get("lang")) or current_language()
    response = Response(event_card(event, language), mimetype="image/png")
    response.headers["Cache-Control"] = CARD_CACHE
    return response


def _calendar_file(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/events/<slug:slug>.ics")
def calendar(slug: str):
    """The event as an iCalendar file with one entry, to add to a calendar."""
    event = services.public_event(slug) or abort(404)
    # Links and UID from BASE_URL, like the emailed copy: a forged Host header changes neither.
    return _calendar_file(event_calendar(event, external_url("events.detail", slug=slug)), f"{slug}.ics")


@bp.get("/events/<slug:slug>/programme.ics")
def programme(slug: str):
    """The programme as a calendar to subscribe to: each session its own entry, updated as it changes."""
    event = services.public_event(slug) or abort(404)
    return _calendar_file(programme_calendar(event, external_url("events.detail", slug=slug)),
                          f"{slug}-programme.ics")
