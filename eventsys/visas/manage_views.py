"""Organiser pages of visa letters (routes of the /manage/ blueprint): requests, decisions, the template.

Passport details are shown only here, to the event's own managers (event_page), and
only on a request's own page; the list shows names and dates. Nothing here logs them.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.database import db
from eventsys.manage import bp
from eventsys.manage.access import current_event, event_page, office_page
from eventsys.visas import letters, passports, services
from eventsys.visas.forms import DecisionForm, EmptyForm, OfferForm, TemplateForm
from eventsys.visas.models import LetterStatus
from eventsys.visas.views import NO_STORE, pdf_response


@bp.get("/events/<int:event_id>/visa-letters")
@event_page
def visa_letters(event_id: int):
    """The event's letter requests, waiting ones first, and whether the event offers letters."""
    event = current_event()
    return render_template("visas/manage_list.html", event=event, letters=services.letters_of_event(event.id),
                           offer_form=OfferForm(offered=event.offers_visa_letters),
                           keys_missing=not passports.available(), statuses=LetterStatus)


@bp.post("/events/<int:event_id>/visa-letters/offer")
@event_page
def offer_visa_letters(event_id: int):
    """Open or close letter requests for the event."""
    form = OfferForm()
    if form.validate():
        services.offer_letters(current_event(), bool(form.offered.data))
        flash(_("Visa letters are offered for this event.") if form.offered.data
              else _("Visa letters are no longer offered for this event."), "success")
    return redirect(url_for("manage.visa_letters", event_id=event_id), code=303)


def _letter_page(letter, form: DecisionForm | None = None, status: int = 200):
    details, unreadable, keyless = None, False, False
    try:
        details = services.passport_of(letter)
    except passports.UnreadablePassportData:
        unreadable = True
    except passports.PassportKeysMissing:  # the setting dropped since the details were stored
        keyless = True
    return render_template("visas/manage_letter.html", event=current_event(), letter=letter, details=details,
                           unreadable=unreadable, keyless=keyless, form=form or DecisionForm(),
                           approve_form=EmptyForm(),
                           statuses=LetterStatus), status, NO_STORE


@bp.get("/events/<int:event_id>/visa-letters/<int:letter_id>")
@event_page
def visa_letter(event_id: int, letter_id: int):
    """One request: the passport details, the stay, and the decision."""
    return _letter_page(services.letter_of_event(event_id, letter_id) or abort(404))


def _decide(event_id: int, letter_id: int, decision: str):
    """Approve (issue), reject or revoke; a refusal shows on the request's page."""
    letter = services.letter_of_event(event_id, letter_id) or abort(404)
    form = DecisionForm() if decision != "approve" else EmptyForm()
    if not form.validate():
        return _letter_page(letter, form if isinstance(form, DecisionForm) else None, 422)
    try:
        if decision == "approve":
            services.approve(letter, current_user)
            flash(_("The letter is issued and on its way to %(name)s.", name=letter.requester_name),
                  "success")
        elif decision == "reject":
            services.reject(letter, current_user, form.reason.data or "")
            flash(_("The request is rejected; %(name)s is told why.", name=letter.requester_name), "success")
        else:
            services.revoke(letter, current_user, form.reason.data or "")
            flash(_("The letter is revoked; the verification page now says so."), "success")
    except services.LetterRefused as refused:
        db.session.rollback()
        letter = services.letter_of_event(event_id, letter_id)
        shown = DecisionForm() if decision == "approve" else form
        for name, messages in refused.errors.items():
            (shown.reason.errors.extend(messages) if name == "reason" else shown.form_errors.extend(messages))
        return _letter_page(letter, shown, 422)
    return redirect(url_for("manage.visa_letter", event_id=event_id, letter_id=letter_id), code=303)


@bp.post("/events/<int:event_id>/visa-letters/<int:letter_id>/approve")
@event_page
def approve_visa_letter(event_id: int, letter_id: int):
    """Issue the letter: its reference, its PDF, and the email with the link."""
    return _decide(event_id, letter_id, "approve")


@bp.post("/events/<int:event_id>/visa-letters/<int:letter_id>/reject")
@event_page
def reject_visa_letter(event_id: int, letter_id: int):
    """Refuse the request, with the reason the requester reads."""
    return _decide(event_id, letter_id, "reject")


@bp.post("/events/<int:event_id>/visa-letters/<int:letter_id>/revoke")
@event_page
def revoke_visa_letter(event_id: int, letter_id: int):
    """Withdraw an issued letter, with the reason the verification page shows."""
    return _decide(event_id, letter_id, "revoke")


@bp.get("/events/<int:event_id>/visa-letters/<int:letter_id>/letter.pdf")
@event_page
def visa_letter_pdf(event_id: int, letter_id: int):
    """The issued letter, for the organisers."""
    letter = services.letter_of_event(event_id, letter_id) or abort(404)
    pdf = services.issued_pdf(letter) or abort(404)
    return pdf_response(pdf, letter.reference)


@bp.route("/visa-letter-template", methods=["GET", "POST"])
@office_page
def visa_letter_template():
    """The office's letterhead and wording, shared by every event's letters."""
    template = letters.office_template()
    db.session.commit()
    form = TemplateForm(obj=template)
    if form.is_submitted() and form.validate():
        for name in ("school_name", "school_name_zh", "address", "address_zh", "signatory_name",
                     "signatory_title", "signatory_title_zh", "body", "body_zh"):
            setattr(template, name, (getattr(form, name).data or "").strip())
        if form.remove_seal.data:
            template.seal_image, template.seal_mimetype = None, None
        elif getattr(form.seal, "image", None):
            template.seal_image, template.seal_mimetype = form.seal.image
        db.session.commit()
        flash(_("The letter template is saved; letters issued from now on use it."), "success")
        return redirect(url_for("manage.visa_letter_template"), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("visas/manage_template.html", form=form, template=template,
                           placeholders=letters.PLACEHOLDERS), status
