"""Organiser pages of certificates of attendance (routes of the /manage/ blueprint)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from eventsys.certificates import document, services
from eventsys.database import db, utcnow
from eventsys.forms import Form
from eventsys.manage import bp
from eventsys.manage.access import current_event, event_page
from eventsys.registration.models import Registration


class EmailCertificatesForm(Form):
    """A certificates button (email them all, or one attendee's): a POST with its CSRF token only."""


@bp.get("/events/<int:event_id>/certificates")
@event_page
def certificates(event_id: int):
    """How many attendees get a certificate, how many were issued, and the button that emails them all."""
    event = current_event()
    return render_template(
        "certificates/manage.html", event=event, form=EmailCertificatesForm(),
        attendees=services.attendee_count(event.id), issued=services.issued_count(event.id),
        over=utcnow() >= event.ends_at,
    )


@bp.post("/events/<int:event_id>/certificates/email")
@event_page
def email_certificates(event_id: int):
    """Queue one certificate email per attendee not yet sent one."""
    form = EmailCertificatesForm()
    if not form.validate():
        flash(_("The form has expired; please press the button again."), "error")
        return redirect(url_for("manage.certificates", event_id=event_id), code=303)
    try:
        added = services.email_attendees(current_event())
    except services.NotEligible as refused:
        flash(str(refused), "error")
    else:
        if added:
            flash(ngettext("%(num)d attendee will receive a link to their certificate.",
                           "%(num)d attendees will receive a link to their certificate.", added), "success")
        else:
            flash(_("Every attendee has already been sent their certificate: nothing new to send."), "info")
    return redirect(url_for("manage.certificates", event_id=event_id), code=303)


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/certificate")
@event_page
def registration_certificate(event_id: int, registration_id: int):
    """One attendee's certificate, for the organiser to hand over or print: issued now if need be.

    A POST: the first download issues the certificate (its reference is made then).
    In the attendee's language, as they would get it themselves.
    """
    form = EmailCertificatesForm()  # a button with its CSRF token, and nothing else
    back = redirect(url_for("manage.registration", event_id=event_id, registration_id=registration_id),
                    code=303)
    if not form.validate():
        flash(_("The form has expired; please press the button again."), "error")
        return back
    # access.require_parts_of has made sure the registration is this event's.
    registration = db.session.get(Registration, registration_id)
    try:
        certificate = services.issue(registration)
    except services.NotEligible as refused:
        flash(str(refused), "error")
        return back
    return document.pdf_response(certificate, registration.locale or "en")
