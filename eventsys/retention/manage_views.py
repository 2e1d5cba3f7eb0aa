"""The organisers' page for anonymising an event's registrations by hand (a route of /manage/)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from eventsys.database import utcnow
from eventsys.events.lifecycle import ChangeRefused, seat_counts
from eventsys.manage import bp
from eventsys.manage.access import current_event, event_page
from eventsys.retention import services
from eventsys.retention.forms import AnonymiseForm


def _back(event_id: int):
    return redirect(url_for("manage.event", event_id=event_id), code=303)


@bp.route("/events/<int:event_id>/anonymise", methods=["GET", "POST"])
@event_page
def anonymise_event(event_id: int):
    """Say what anonymising erases and keeps, then, once confirmed, do it (only after the event ended)."""
    event = current_event()
    if event.anonymised_at is not None:
        flash(_("The registrations of this event are already anonymised."), "info")
        return _back(event_id)
    form = AnonymiseForm()
    if form.validate_on_submit():
        try:
            erased = services.anonymise_event(event_id)
        except ChangeRefused as refused:
            flash(str(refused), "error")
            return _back(event_id)
        if erased is None:
            flash(_("The registrations of this event are already anonymised."), "info")
        else:
            flash(ngettext("%(num)d registration is anonymised; the event's figures are unchanged.",
                           "%(num)d registrations are anonymised; the event's figures are unchanged.",
                           erased), "info")
        return _back(event_id)
    registrations = sum(seat_counts(event_id).values())
    return render_template("manage/retention/anonymise.html", form=form, event=event,
                           registrations=registrations, ended=event.ends_at <= utcnow())
