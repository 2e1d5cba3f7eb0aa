"""Organiser pages of badges (routes of the /manage/ blueprint): the form, the PDF, one person's badge.

The form is a GET form, as the registration list's filters are: printing badges
changes nothing, and the address of a run can be bookmarked for the next reprint.
"""

import os

from flask import Response, render_template, request, stream_with_context
from flask_babel import gettext as _

from eventsys.badges import layout
from eventsys.badges.forms import badge_form
from eventsys.database import db
from eventsys.events.models import Event
from eventsys.manage import bp
from eventsys.manage.access import current_event, event_page
from eventsys.registration.export import file_chunks
from eventsys.registration.models import Registration


def _pdf_response(event: Event, registrations, chosen: layout.Layout, filename: str) -> Response:
    """The badges as one PDF download, sent in chunks from its temporary file; no cache keeps it."""
    file = layout.pdf_file(event, registrations, chosen)
    return Response(stream_with_context(file_chunks(file)), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Length": str(os.fstat(file.fileno()).st_size),
        "Cache-Control": "no-store",
    })


def _form_page(event: Event, form, status: int = 200):
    return render_template("badges/form.html", event=event, form=form, limit=layout.BADGE_LIMIT), status


@bp.get("/events/<int:event_id>/badges")
@event_page
def badges(event_id: int):
    """The form; with its choices in the query string, the PDF of the badges they select."""
    event = current_event()
    form = badge_form(request.args)
    if "layout" not in request.args:
        return _form_page(event, form)
    query, notices = form.list_query(event.timezone)
    if notices:
        # A print run with a choice we did not understand would print other people than meant.
        form.form_errors.extend(notices)
        return _form_page(event, form, 422)
    count = layout.count_selected(event.id, query)
    if count == 0:
        form.form_errors.append(_("Nobody matches these choices, so there are no badges to print. "
                                  "Widen the choice (any status, any category…) and try again."))
        return _form_page(event, form, 422)
    if count > layout.BADGE_LIMIT:
        form.form_errors.append(_(
            "These choices select %(count)s people; one file holds at most %(limit)s badges. "
            "Print them in parts, by category or country for example.",
            count=count, limit=layout.BADGE_LIMIT))
        return _form_page(event, form, 422)
    registrations = db.session.scalars(layout.selected(event.id, query))
    return _pdf_response(event, registrations, form.chosen_layout(), f"{event.slug}-badges.pdf")


@bp.get("/events/<int:event_id>/registrations/<int:registration_id>/badge")
@event_page
def registration_badge(event_id: int, registration_id: int):
    """One person's badge, one per A6 page unless ?layout=sheet: for a reprint at the desk."""
    # access.require_parts_of has made sure the registration is this event's.
    registration = db.session.get(Registration, registration_id)
    chosen = layout.Layout.sheet if request.args.get("layout") == "sheet" else layout.Layout.a6
    return _pdf_response(current_event(), [registration], chosen,
                         f"badge-{registration.checkin_code_shown}.pdf")
