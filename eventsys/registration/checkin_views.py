"""The check-in desk of an event (routes of the /manage/ blueprint).

One input takes whatever arrives: the phone's camera (static/js/desk-camera.js reads
the QR code and submits it), a USB scanner typing a code, a code read out by hand, or
part of a name or email. After each POST the desk redirects to itself and shows the
outcome once (kept in the session, like a flash), with the input focused again so the
next scan can follow at once. A check-in can be undone from the outcome, and a scan
on a day the event does not run asks before letting the person in.
"""

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from eventsys.database import utcnow
from eventsys.manage import bp
from eventsys.manage.access import current_event, event_page
from eventsys.registration import checkin as desk
from eventsys.registration.errors import RegistrationError
from eventsys.registration.handling import CheckIn, OutsideEventDays, event_days
from eventsys.registration.models import RegistrationStatus

#: where the outcome of the last POST waits for the desk page that follows it
_RESULT_KEY = "checkin_result"
#: longer than any name, email or code; anything longer is not something to look up
TEXT_MAX = 200


def _keep_result(event_id: int, outcome: str, registration_id: int | None = None, message: str = "") -> None:
    """Remember what the desk should show after the redirect (ids only: names stay out of the cookie)."""
    session[_RESULT_KEY] = {"event_id": event_id, "outcome": outcome,
                            "registration_id": registration_id, "message": message}


def _take_result(event_id: int) -> dict | None:
    """The outcome of the last POST at this event's desk, once; the registration re-read from the database."""
    result = session.pop(_RESULT_KEY, None)
    if not result or result.get("event_id") != event_id:
        return None
    if result.get("registration_id") is not None:
        result["registration"] = desk.registration_of_event(event_id, result["registration_id"])
        if result["registration"] is None:
            return None
    return result


def _after_check_in(event_id: int, outcome: CheckIn):
    _keep_result(event_id, "first" if outcome.first_time else "again", outcome.registration.id)
    return redirect(url_for("manage.checkin", event_id=event_id), code=303)


def _after_refusal(event_id: int, refused: RegistrationError):
    if isinstance(refused, OutsideEventDays):  # a question, not a refusal: the page asks "check in anyway?"
        _keep_result(event_id, "confirm", refused.registration.id)
    else:
        _keep_result(event_id, "refused", message=str(refused))
    return redirect(url_for("manage.checkin", event_id=event_id), code=303)


def _desk_page(query: str = "", error: str | None = None, status: int = 200):
    """The desk page: counts, the input, the last outcome and the matches of a search."""
    event = current_event()
    first_day, last_day = event_days(event)
    return render_template(
        "manage/checkin/desk.html",
        event=event,
        first_day=first_day,
        last_day=last_day,
        today=utcnow(),
        counts=desk.counts(event),
        result=None if error else _take_result(event.id),
        query=query,
        found=desk.search(event.id, query) if query else None,
        error=error,
        statuses=RegistrationStatus,
    ), status


@bp.get("/events/<int:event_id>/checkin")
@event_page
def checkin(event_id: int):
    """The desk: scan or search, see who has arrived."""
    return _desk_page(query=request.args.get("q", "").strip()[:TEXT_MAX])


@bp.post("/events/<int:event_id>/checkin")
@event_page
def checkin_scan(event_id: int):
    """A scanned code checks its holder in; any other text is a search by name or email."""
    text = request.form.get("code", "").strip()
    if not text:
        return _desk_page(error=_("Scan a code, or type part of a name or email."), status=422)
    if len(text) > TEXT_MAX:
        return _desk_page(error=_("At most %(count)s characters, please.", count=TEXT_MAX), status=422)
    try:
        outcome = desk.scan(event_id, text)
    except RegistrationError as refused:
        return _after_refusal(event_id, refused)
    if outcome is None:
        return redirect(url_for("manage.checkin", event_id=event_id, q=text), code=303)
    return _after_check_in(event_id, outcome)


@bp.post("/events/<int:event_id>/checkin/<int:registration_id>")
@event_page
def checkin_registration(event_id: int, registration_id: int):
    """The "Check in" button beside a search result, or "Check in anyway" after the desk asked."""
    confirmed = request.form.get("outside_days_confirmed") == "1"
    try:
        outcome = desk.check_in_by_id(event_id, registration_id, outside_days_confirmed=confirmed)
    except RegistrationError as refused:
        return _after_refusal(event_id, refused)
    return _after_check_in(event_id, outcome)


@bp.post("/events/<int:event_id>/checkin/<int:registration_id>/undo")
@event_page
def checkin_undo(event_id: int, registration_id: int):
    """Take back a check-in made by mistake (the wrong person picked, a badge scanned twice)."""
    try:
        registration = desk.undo_by_id(event_id, registration_id)
    except RegistrationError as refused:
        return _after_refusal(event_id, refused)
    _keep_result(event_id, "undone", registration.id)
    return redirect(url_for("manage.checkin", event_id=event_id), code=303)


@bp.get("/events/<int:event_id>/checkin/counts")
@event_page
def checkin_counts(event_id: int):
    """The desk's counts as JSON, polled by the page to stay current while several desks scan."""
    counts = desk.counts(current_event())
    return {"checked_in": counts.checked_in, "confirmed": counts.confirmed}
