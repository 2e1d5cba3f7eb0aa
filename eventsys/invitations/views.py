"""The invitee's pages: the personal link's prefilled form, the one-click decline, and the address check."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from eventsys import tokens
from eventsys.database import db, utcnow
from eventsys.extensions import limiter
from eventsys.invitations import emails, services
from eventsys.invitations.forms import DeclineForm
from eventsys.invitations.models import Invitation, InvitationStatus
from eventsys.locales import switched_language
from eventsys.public_limits import public_link_limit
from eventsys.registration import services as registration
from eventsys.registration.forms import registration_form_for
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.views import show_service_errors

bp = Blueprint("invitations", __name__)



def _invitation(token: str, purpose: str = emails.LINK_PURPOSE) -> Invitation:
    """The invitation the link names; 404 for a link that is not ours or names nothing."""
    try:
        invitation_id = emails.invitation_of(token, purpose)
    except tokens.InvalidToken:
        abort(404, description=_("This invitation link is not valid. Please open it again from the "
                                 "invitation email, making sure the whole address was copied."))
    return db.session.get(Invitation, invitation_id) or abort(404)


def _closed_page(invitation: Invitation, reason: str, status: int = 410):
    """Why the invitation can no longer be answered; the invitee's registration when they made one."""
    made = db.session.get(Registration, invitation.registration_id) if invitation.registration_id else None
    return render_template("invitations/closed.html", invitation=invitation, event=invitation.event,
                           reason=reason, registration=made), status


def _form(invitation: Invitation, **kwargs):
    """The event's registration form, prefilled from the invitation; the address is the invited one."""
    form = registration_form_for(invitation.event, **kwargs)
    if not form.is_submitted():
        form.name.data = invitation.name
        form.affiliation.data = invitation.affiliation
        form.country.data = invitation.country or ""
        form.category.data = invitation.category.value if invitation.category else ""
    form.email.data = invitation.email
    return form


def _page(invitation: Invitation, form, status: int = 200):
    held = invitation.holds_seat and invitation.status is InvitationStatus.pending
    return render_template("invitations/form.html", invitation=invitation, event=invitation.event, form=form,
                           held=held), status


@bp.route("/invited/<token>", methods=["GET", "POST"])
@limiter.limit(public_link_limit)
def answer(token: str):
    """The personal form: register with the seat held for the invitee, or on the event's usual terms."""
    invitation = _invitation(token)
    try:
        services.ensure_answerable(invitation, utcnow())
        services.ensure_event_takes_invitees(invitation.event, utcnow())
    except services.InvitationClosed as closed:
        return _closed_page(invitation, str(closed))
    except registration.RegistrationClosed as closed:
        return _closed_page(invitation, str(closed), 410 if closed.gone else 403)
    form = _form(invitation)
    if not form.is_submitted():
        return _page(invitation, form)
    applicant = registration.Applicant(
        name=form.name.data or "", name_latin=form.name_latin.data or "", email=invitation.email,
        affiliation=form.affiliation.data or "",
        country=form.country.data or "", category=form.category.data or "", answers=form.answers(),
        # The invitation's language, which the organisers chose, unless the invitee switched the page's.
        locale=switched_language() or invitation.locale, timezone=form.timezone.data or None)
    try:
        if not form.validate():
            registration.check_applicant(invitation.event, applicant)
        else:
            made = services.register_invitee(invitation.id, applicant)
            if isinstance(made, Invitation):
                flash(invitation.email, "verify")
                return redirect(url_for("registration.check_email", slug=invitation.event.slug), code=303)
            flash(_("Thank you: your registration is recorded."), "registered")
            return redirect(url_for("registration.manage", token=made.token), code=303)
    except registration.InvalidRegistration as invalid:
        show_service_errors(form, invalid.errors)
    except registration.AlreadyRegistered:
        return _closed_page(invitation, _("This email address is already registered for this event. Use the "
                                          "link in your confirmation email to see or cancel that "
                                          "registration."), 409)
    except services.InvitationClosed as closed:
        return _closed_page(db.session.get(Invitation, invitation.id), str(closed))
    except registration.RegistrationClosed as closed:
        return _closed_page(invitation, str(closed), 410 if closed.gone else 403)
    return _page(invitation, form, 422)


@bp.route("/invited/<token>/decline", methods=["GET", "POST"])
@limiter.limit(public_link_limit)
def decline(token: str):
    """One button to decline (a GET changes nothing: mail scanners open links)."""
    invitation = _invitation(token)
    form = DeclineForm()
    try:
        services.ensure_answerable(invitation, utcnow())
    except services.InvitationClosed as closed:
        return _closed_page(invitation, str(closed))
    if form.validate_on_submit():
        try:
            services.decline(invitation.id)
        except services.InvitationClosed as closed:
            return _closed_page(db.session.get(Invitation, invitation.id), str(closed))
        return render_template("invitations/declined.html", invitation=invitation, event=invitation.event)
    return render_template("invitations/decline.html", invitation=invitation, event=invitation.event,
                           form=form, answer_url=url_for("invitations.answer", token=token))


@bp.get("/invited/confirm/<token>")
@limiter.limit(public_link_limit)
def confirm(token: str):
    """The address check of an invitee's submission: the registration is made now."""
    try:
        invitation_id = emails.invitation_of(token, emails.CONFIRM_PURPOSE)
    except tokens.ExpiredToken:
        reason = _("This link has expired. Open your invitation and register again.")
        return render_template("registration/verify_failed.html", event=None, reason=reason), 410
    except tokens.InvalidToken:
        abort(404)
    invitation = db.session.get(Invitation, invitation_id) or abort(404)
    try:
        made = services.confirm_submission(invitation.id)
    except services.InvitationClosed as closed:
        return _closed_page(invitation, str(closed))
    except registration.RegistrationClosed as closed:
        return _closed_page(invitation, str(closed), 410 if closed.gone else 403)
    except registration.AlreadyRegistered as already:
        made = already.registration
    if made.status is not RegistrationStatus.cancelled:
        flash(_("Thank you: your email address is confirmed and your registration is recorded."),
              "registered")
    return redirect(url_for("registration.manage", token=made.token), code=303)
