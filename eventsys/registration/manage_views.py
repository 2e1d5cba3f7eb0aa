"""Organiser pages of an event's registrations (routes of the /manage/ blueprint).

Query parameters that are not understood (an unknown status, country or sort, a
malformed page cursor, a search with control characters) are ignored on the list,
which says so in a notice above it: a stale bookmark still opens a useful page. An
export with such a parameter answers 400 instead, because a file silently holding
more rows than asked for would mislead whoever reads it later.
"""

import os
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from eventsys.database import db
from eventsys.manage import bp
from eventsys.manage.access import current_event, event_page
from eventsys.registration import export, handling, listing, services, tally
from eventsys.registration.errors import RegistrationError
from eventsys.registration.forms import CATEGORY_LABELS
from eventsys.registration.manage_forms import SORT_LABELS, STATUS_LABELS, answers_form_for, filters_from
from eventsys.registration.models import Registration, RegistrationStatus

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _registration_or_404(event_id: int, registration_id: int) -> Registration:
    """The registration, when it belongs to this event; 404 otherwise (ids of other events say nothing)."""
    registration = db.session.scalars(
        sa.select(Registration).where(Registration.id == registration_id, Registration.event_id == event_id)
    ).first()
    return registration or abort(404)


def _back_to(registration: Registration):
    return redirect(url_for("manage.registration", event_id=registration.event_id,
                            registration_id=registration.id), code=303)


@bp.get("/events/<int:event_id>/registrations")
@event_page
def registrations(event_id: int):
    """One keyset page of the event's registrations, filtered, with the tally's counts on top."""
    event = current_event()
    filters = filters_from(request.args)
    query, notices = filters.list_query(event.timezone)
    position, cursor_notices = listing.position_from(request.args, query.sort)
    page = listing.page_of(event.id, query, position)
    return render_template(
        "manage/registrations/list.html", event=event, filters=filters, query=query, page=page,
        args=query.as_args(), notices=notices + cursor_notices,
        summary=listing.summary(tally.counts(event.id)),
        statuses=RegistrationStatus, status_labels=STATUS_LABELS, sort_labels=SORT_LABELS,
        category_labels=CATEGORY_LABELS,
    )


@bp.get("/events/<int:event_id>/registrations.csv", defaults={"fmt": "csv"})
@bp.get("/events/<int:event_id>/registrations.xlsx", defaults={"fmt": "xlsx"})
@event_page
def export_registrations(event_id: int, fmt: str):
    """The registrations the list's filters select, as a CSV or XLSX download, streamed."""
    event = current_event()
    query, notices = filters_from(request.args).list_query(event.timezone)
    notices += listing.position_from(request.args, query.sort)[1]  # a file has no pages, but a bad link
    if notices:
        abort(400, " ".join(notices))
    disposition = {"Content-Disposition": f'attachment; filename="{event.slug}-registrations.{fmt}"'}
    if fmt == "csv":
        chunks = export.csv_chunks(event.id, query, export.columns_of(event))
        return Response(stream_with_context(chunks), mimetype="text/csv", headers=disposition)
    file = export.xlsx_file(event, query)
    size = os.fstat(file.fileno()).st_size
    return Response(export.file_chunks(file), mimetype=XLSX_MIMETYPE,
                    headers={**disposition, "Content-Length": str(size)})


def _list_address(event_id: int, back: str | None) -> str:
    """Where to return after a bulk action: the list page it came from, never another site."""
    home = url_for("manage.registrations", event_id=event_id)
    if back:
        parts = urlsplit(back)
        if not parts.scheme and not parts.netloc and parts.path == home:
            return back
    return home


@bp.post("/events/<int:event_id>/registrations/approve")
@event_page
def approve_selected(event_id: int):
    """Approve the pending registrations ticked on a list page, one by one."""
    # Ids beyond the INTEGER range cannot exist; PostgreSQL would refuse to even compare them.
    ids = {int(value) for value in request.form.getlist("registration_id")
           if value.isdigit() and int(value) < 2**31}
    if not ids:
        flash(_("Tick the registrations to approve first."), "error")
    approved, refused = 0, []
    for registration_id in sorted(ids)[: listing.PAGE_SIZE]:
        try:
            handling.approve(event_id, registration_id)
            approved += 1
        except RegistrationError as problem:
            # Translators: a registration's number, then why it could not be approved.
            refused.append(_("#%(number)s: %(problem)s", number=registration_id, problem=str(problem)))
    if approved:
        flash(ngettext("Approved %(num)d registration(s); each person is told by email.",
                       "Approved %(num)d registration(s); each person is told by email.", approved), "info")
    for message in refused:
        flash(message, "error")
    return redirect(_list_address(event_id, request.form.get("back")), code=303)


def _selected_ids() -> set[int]:
    """The registration ids ticked on a list page."""
    # Ids beyond the INTEGER range cannot exist; PostgreSQL would refuse to even compare them.
    return {int(value) for value in request.form.getlist("registration_id")
            if value.isdigit() and int(value) < 2**31}


@bp.post("/events/<int:event_id>/registrations/cancel")
@event_page
def cancel_many(event_id: int):
    """Cancel the ticked registrations, or every one the filters select (a burst), after a confirmation.

    The first POST shows what would be cancelled and asks; the second, with confirmed=1, does it.
    """
    event = current_event()
    filters = filters_from(request.form)
    query, notices = filters.list_query(event.timezone)
    everything = request.form.get("scope") == "filtered"
    ids = None if everything else _selected_ids()
    back = _list_address(event_id, url_for("manage.registrations", event_id=event_id, **query.as_args()))
    if notices or (not everything and not ids):
        flash(" ".join(notices) or _("Tick the registrations to cancel first."), "error")
        return redirect(back, code=303)
    where = listing.matching(event.id, query) if everything else [Registration.id.in_(ids)]
    if request.form.get("confirmed") != "1":
        active = sa.select(Registration).where(
            Registration.event_id == event.id, *where, Registration.status != RegistrationStatus.cancelled)
        count = db.session.scalar(sa.select(sa.func.count()).select_from(active.subquery()))
        examples = list(db.session.scalars(active.order_by(Registration.id).limit(20)))
        return render_template(
            "manage/registrations/cancel_confirm.html", event=event, count=count, examples=examples,
            form=request.form, ids=sorted(ids or []), everything=everything, back=back,
        )
    outcome = handling.cancel_many(event.id, where=where, notify=request.form.get("notify") == "1")
    if outcome.promoted:
        flash(_("Cancelled %(cancelled)s registrations. %(promoted)s moved up from the waiting list.",
                cancelled=outcome.cancelled, promoted=len(outcome.promoted)), "info")
    else:
        flash(ngettext("Cancelled %(num)d registrations.", "Cancelled %(num)d registrations.",
                       outcome.cancelled), "info")
    return redirect(back, code=303)


@bp.get("/events/<int:event_id>/registrations/<int:registration_id>")
@event_page
def registration(event_id: int, registration_id: int):
    """Everything about one registration, its answers under their questions, and what can be done."""
    event = current_event()
    registration = _registration_or_404(event.id, registration_id)
    questions = list(event.questions)
    known = {question.field_name for question in questions}
    answers = [(question.label, export.answer_cell(registration.answers.get(question.field_name)))
               for question in questions]
    answers += [(_("Question #%(key)s (since removed)", key=key), export.answer_cell(value))
                for key, value in registration.answers.items() if key not in known]
    return render_template(
        "manage/registrations/detail.html", event=event, registration=registration, answers=answers,
        position=services.waitlist_position(registration), statuses=RegistrationStatus,
        status_labels=STATUS_LABELS, category_labels=CATEGORY_LABELS,
    )


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/approve")
@event_page
def approve_registration(event_id: int, registration_id: int):
    """Approve a pending registration: a seat if one is free, else the waiting list."""
    registration = _registration_or_404(event_id, registration_id)
    name = registration.name
    try:
        status = handling.approve(event_id, registration_id)
    except RegistrationError as refused:
        flash(str(refused), "error")
        return _back_to(registration)
    if status is RegistrationStatus.confirmed:
        flash(_("Approved: %(name)s has a seat and is told so by email.", name=name), "info")
    else:
        flash(_("Approved, but no seat is free: %(name)s is on the waiting list and is told so by email.",
                name=name), "info")
    return _back_to(registration)


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/cancel")
@event_page
def cancel_registration_by_organiser(event_id: int, registration_id: int):
    """Cancel a registration; the person is told, and a freed seat goes to the first one waiting."""
    registration = _registration_or_404(event_id, registration_id)
    name = registration.name
    if registration.status is RegistrationStatus.cancelled:
        flash(_("This registration is already cancelled."), "error")
        return _back_to(registration)
    try:
        promoted = services.cancel_registration(registration_id)
    except RegistrationError as refused:
        flash(str(refused), "error")
        return _back_to(registration)
    if promoted:
        flash(_("Cancelled the registration of %(name)s, who is told so by email. %(promoted)s moved up "
                "from the waiting list.", name=name, promoted=", ".join(p.name for p in promoted)), "info")
    else:
        flash(_("Cancelled the registration of %(name)s, who is told so by email.", name=name), "info")
    return _back_to(registration)


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/promote")
@event_page
def promote_registration(event_id: int, registration_id: int):
    """Give this person on the waiting list a free seat, out of turn."""
    registration = _registration_or_404(event_id, registration_id)
    name = registration.name
    try:
        handling.promote_by_hand(event_id, registration_id)
    except RegistrationError as refused:
        flash(str(refused), "error")
        return _back_to(registration)
    flash(_("%(name)s now has a seat and is told so by email.", name=name), "info")
    return _back_to(registration)


@bp.route("/events/<int:event_id>/registrations/<int:registration_id>/answers", methods=["GET", "POST"])
@event_page
def edit_answers(event_id: int, registration_id: int):
    """Correct a registration's answers, checked by the same rules as the registration form."""
    event = current_event()
    registration = _registration_or_404(event.id, registration_id)
    if request.method == "GET":
        form = answers_form_for(event, registration.answers)
        return render_template("manage/registrations/answers.html", event=event, registration=registration,
                               form=form)
    form = answers_form_for(event)
    form.validate()  # the answers themselves are checked by the service, for every way in alike
    try:
        handling.update_answers(registration, form.answers())
    except handling.InvalidAnswers as invalid:
        form.show_errors(invalid.errors)
        return render_template("manage/registrations/answers.html", event=event, registration=registration,
                               form=form), 422
    flash(_("The answers are saved."), "info")
    return _back_to(registration)
