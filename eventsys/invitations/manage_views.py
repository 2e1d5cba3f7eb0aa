"""Organiser pages of invitations to register (routes of the /manage/ blueprint): send, follow, act."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventsys.csv_files import ImportFileError
from eventsys.database import db
from eventsys.events.lifecycle import ChangeRefused
from eventsys.invitations import services
from eventsys.invitations.forms import BatchOptionsForm, InvitationActionForm, InviteFileForm, InviteOneForm
from eventsys.invitations.invitees import Invitee, read_file
from eventsys.invitations.models import Invitation, InvitationStatus
from eventsys.manage import bp
from eventsys.manage.access import current_event, event_page

#: invitations shown on one page of the list
PAGE_SIZE = 200


def _counts(event_id: int) -> dict[InvitationStatus, int]:
    rows = db.session.execute(sa.select(Invitation.status, sa.func.count()).where(
        Invitation.event_id == event_id).group_by(Invitation.status)).all()
    return {status: count for status, count in rows}


def _list_page(one_form=None, file_form=None, report=None, file_error: str | None = None, status: int = 200):
    """The event's invitations with their statuses, and the forms to send more."""
    event = current_event()
    wanted = request.args.get("status", "")
    query = sa.select(Invitation).where(Invitation.event_id == event.id)
    if wanted in InvitationStatus.__members__:
        query = query.where(Invitation.status == InvitationStatus(wanted))
    invitations = list(db.session.scalars(query.order_by(Invitation.id.desc()).limit(PAGE_SIZE)))
    return render_template(
        "invitations/manage_list.html", event=event, invitations=invitations, counts=_counts(event.id),
        statuses=InvitationStatus, wanted=wanted, one_form=one_form or InviteOneForm(prefix="one"),
        file_form=file_form or InviteFileForm(prefix="file"), action_form=InvitationActionForm(),
        report=report, file_error=file_error, default_deadline=services.default_deadline(event),
    ), status


@bp.get("/events/<int:event_id>/invitations")
@event_page
def invitations(event_id: int):
    """Who was invited, what each answered, and how many seats are held."""
    return _list_page()


def _options(form: BatchOptionsForm) -> services.BatchOptions:
    return services.BatchOptions(holds_seats=bool(form.holds_seats.data),
                                 skips_approval=bool(form.skips_approval.data),
                                 skips_verification=bool(form.skips_verification.data),
                                 deadline=form.moments.get("deadline"))


def _send(form: BatchOptionsForm, invitees: list[Invitee]):
    """Send the batch; refusals show next to the field, or as the row report."""
    try:
        batch = services.invite(current_event().id, invitees, _options(form), by_user_id=current_user.id)
    except services.InviteesRefused as refused:
        return refused.report
    except ChangeRefused as refused:
        for name, message in refused.errors.items():
            (form[name].errors.append if name in form else form.form_errors.append)(message)
        return None
    count = db.session.scalar(sa.select(sa.func.count()).where(Invitation.batch_id == batch.id))
    flash(ngettext("%(num)d invitation is on its way.", "%(num)d invitations are on their way.", count),
          "success")
    return True


@bp.post("/events/<int:event_id>/invitations/one")
@event_page
def invite_one(event_id: int):
    """Invite one person, typed in."""
    form = InviteOneForm(prefix="one")
    if form.validate() and form.read_local_times(current_event().timezone):
        invitee = Invitee(name=form.name.data, email=form.email.data, institution=form.institution.data or "",
                          category=form.category.data or "", language=form.language.data or "")
        sent = _send(form, [invitee])
        if sent is True:
            return redirect(url_for("manage.invitations", event_id=event_id), code=303)
        for line in sent or ():
            form.email.errors = list(form.email.errors) + line.errors
    return _list_page(one_form=form, status=422)


@bp.post("/events/<int:event_id>/invitations/file")
@event_page
def invite_file(event_id: int):
    """Invite everyone in a CSV file; one wrong row sends nothing, and the report says what is wrong."""
    form = InviteFileForm(prefix="file")
    if not (form.validate() and form.read_local_times(current_event().timezone)):
        return _list_page(file_form=form, status=422)
    try:
        invitees = read_file(form.file.data.read())
    except ImportFileError as unreadable:
        return _list_page(file_form=form, file_error=str(unreadable), status=422)
    sent = _send(form, invitees)
    if sent is True:
        return redirect(url_for("manage.invitations", event_id=event_id), code=303)
    return _list_page(file_form=form, report=sent, status=422)


@bp.post("/events/<int:event_id>/invitations/act")
@event_page
def act_on_invitations(event_id: int):
    """Send again, revoke (releasing held seats) or extend the ticked invitations; pending ones only."""
    form = InvitationActionForm()
    event = current_event()
    if not form.validate() or not form.read_local_times(event.timezone):
        flash(_("Choose what to do with the invitations."), "error")
        return redirect(url_for("manage.invitations", event_id=event_id), code=303)
    ids = form.ids.data or []
    if not ids:
        flash(_("Tick the invitations to act on first."), "error")
    elif form.action.data == "resend":
        count = services.resend(event.id, ids)
        flash(ngettext("%(num)d invitation sent again.", "%(num)d invitations sent again.", count), "success")
    elif form.action.data == "revoke":
        count = services.revoke(event.id, ids)
        flash(ngettext("%(num)d invitation revoked; its held seat is released.",
                       "%(num)d invitations revoked; their held seats are released.", count), "success")
    else:
        deadline = form.moments.get("deadline")
        if deadline is None:
            flash(_("Give the new deadline to extend to."), "error")
        else:
            try:
                count = services.extend(event.id, ids, deadline)
                flash(ngettext("%(num)d invitation extended.", "%(num)d invitations extended.", count),
                      "success")
            except ChangeRefused as refused:
                flash(" ".join(refused.errors.values()), "error")
    return redirect(url_for("manage.invitations", event_id=event_id), code=303)
