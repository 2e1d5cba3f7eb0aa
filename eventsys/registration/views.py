"""Registering through the web form, and the attendee's self-service page."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded

from eventsys.certificates import services as certificates
from eventsys.database import db
from eventsys.errors import render_error_page, seconds_until_allowed
from eventsys.events import services as events
from eventsys.extensions import limiter
from eventsys.locales import request_locale
from eventsys.public_limits import public_link_limit
from eventsys.registration import limits, public, qrcodes, services, tickets, verification
from eventsys.registration.forms import registration_form_for
from eventsys.registration.models import Registration, RegistrationAttempt, RegistrationStatus
from eventsys.reminders.services import meeting_link_lead

bp = Blueprint("registration", __name__)


def show_service_errors(form, errors: dict[str, list[str]]) -> None:
    """Put the service's field errors next to the fields they concern, in the form's own words where
    it has them (a drop-down's)."""
    plain = getattr(form, "plain_errors", {})
    for key, messages in errors.items():
        name = "q_" + key.removeprefix("answers.") if key.startswith("answers.") else key
        messages = [str(plain[name])] if name in plain else messages
        field = form[name] if name in form else None
        if field is not None:
            field.errors = list(field.errors) + messages
        else:
            form.form_errors.extend(messages)


def _closed_page(event, closed: services.RegistrationClosed):
    """Why registration is not possible: 410 when it never will be again, else 403."""
    status = 410 if closed.gone else 403
    return render_template("registration/closed.html", event=event, reason=str(closed)), status


def _too_many_page(event, message: str, retry_after: int | None = None):
    """The form again, as the person filled it, with why it was not taken and when to retry."""
    form = registration_form_for(event)
    form.form_errors.append(message)
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return render_template("registration/form.html", event=event, form=form), 429, headers


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(error: RateLimitExceeded):
    """A person over a limit sees the form with the message, not a bare error page."""
    event = events.event_by_slug((request.view_args or {}).get("slug", ""))
    if event is None:
        return render_error_page(error), 429, \
            {"Retry-After": str(seconds_until_allowed())}
    return _too_many_page(event, error.description, seconds_until_allowed())


@bp.route("/events/<slug:slug>/register", methods=["GET", "POST"])
@limits.limit_public_registration
def register(slug: str):
    """Show the form; on a valid submission register and send the person to their page."""
    event = public.event_to_register_for(slug) or abort(404)
    try:
        services.ensure_registration_open(event)
    except services.RegistrationClosed as closed:
        return _closed_page(event, closed)

    form = registration_form_for(event)
    if not form.is_submitted():
        return render_template("registration/form.html", event=event, form=form)
    if form.caught_in_honeypot():
        # A bot: told nothing it could learn from, and nothing stored or sent.
        form = registration_form_for(event, formdata=None)
        form.form_errors.append(_("We could not take this registration. Please try again."))
        return render_template("registration/form.html", event=event, form=form), 422
    applicant = services.Applicant(
        name=form.name.data or "",
        name_latin=form.name_latin.data or "",
        email=form.email.data or "",
        affiliation=form.affiliation.data or "",
        country=form.country.data or "",
        category=form.category.data or "",
        answers=form.answers(),
        locale=request_locale(),
        timezone=form.timezone.data or None,
    )
    try:
        if not form.validate():
            # Without consent nothing is registered, but the person still sees every other problem.
            services.check_applicant(event, applicant)
        else:
            registration = public.register(event, applicant)
            if isinstance(registration, RegistrationAttempt):
                flash(registration.values["email"], "verify")
                return redirect(url_for("registration.check_email", slug=event.slug), code=303)
            flash(_("Thank you: your registration is recorded."), "registered")
            return redirect(url_for("registration.manage", token=registration.token), code=303)
    except services.InvalidRegistration as invalid:
        show_service_errors(form, invalid.errors)
    except services.AlreadyRegistered as already:
        return render_template(
            "registration/form.html", event=event, form=form, already=already.registration
        ), 409
    except services.RegistrationClosed as closed:
        return _closed_page(event, closed)
    except limits.TooManyRegistrations as refused:
        return _too_many_page(event, str(refused), refused.retry_after)
    return render_template("registration/form.html", event=event, form=form), 422



@bp.get("/events/<slug:slug>/register/check-email")
def check_email(slug: str):
    """After a registration on an event that verifies addresses: the link is in the person's inbox."""
    event = events.event_by_slug(slug) or abort(404)
    return render_template("registration/check_email.html", event=event,
                           minutes=int(verification.window().total_seconds() // 60))


@bp.get("/registrations/confirm/<token>")
@limiter.limit(public_link_limit)
def verify(token: str):
    """The link in the verification email: the seat or waiting-list place is decided now, at the click."""
    try:
        registration = verification.confirm(token)
    except verification.VerificationFailed as failed:
        return render_template("registration/verify_failed.html", reason=str(failed),
                               event=failed.event), 410 if failed.expired else 404
    except services.RegistrationClosed as closed:
        return render_template("registration/verify_failed.html", reason=str(closed), event=None), \
            410 if closed.gone else 403
    flash(_("Thank you: your email address is confirmed and your registration is recorded."), "registered")
    return redirect(url_for("registration.manage", token=registration.token), code=303)


@bp.get("/r/<token>")
@limiter.limit(public_link_limit)
def manage(token: str):
    """The attendee's own page: status, place on the waiting list, check-in code, and a cancel button."""
    registration = services.find_by_token(token) or abort(404)
    event = registration.event
    confirmed = registration.status is RegistrationStatus.confirmed
    return render_template(
        "registration/manage.html",
        registration=registration,
        event=event,
        position=services.waitlist_position(registration),
        statuses=RegistrationStatus,
        # Online only: no door, so no check-in code to show at one.
        qr_svg=qrcodes.svg_inline(registration.checkin_code) if confirmed and event.has_venue else None,
        has_ticket=tickets.has_ticket(registration),
        meeting_link_lead=meeting_link_lead(event) if event.is_online else None,
        # Travellers from abroad may ask for a visa invitation letter (eventsys/visas/) where it is offered.
        offers_visa_letter=event.offers_visa_letters
        and registration.status is not RegistrationStatus.cancelled
        and registration.country != current_app.config["HOST_COUNTRY"],
        # Those checked in get a certificate of attendance once the event is over (eventsys/certificates/).
        certificate_ready=certificates.why_not_eligible(registration) is None,
    )


@bp.get("/r/<token>/qr.png")
@limiter.limit(public_link_limit)
def qr_code(token: str):
    """The check-in code as an image by the self-service token: what emails sent before image links used."""
    return _qr_image(services.find_by_token(token))


@bp.get("/qr/<token>.png")
@limiter.limit(public_link_limit)
def qr_image(token: str):
    """The check-in code as an image, by a link that opens nothing else: what emails sent before used.

    Emails now carry the image inside themselves (registration/emails.py, ticket_attachments);
    the link stays for the ones already in people's inboxes.
    """
    registration_id = qrcodes.registration_of_image_link(token)
    return _qr_image(db.session.get(Registration, registration_id) if registration_id else None)


def _qr_image(registration: Registration | None) -> Response:
    """The PNG of the registration's check-in code, only while it holds a seat."""
    if registration is None or registration.status is not RegistrationStatus.confirmed:
        abort(404)
    response = Response(qrcodes.png_document(registration.checkin_code), mimetype="image/png")
    # The image stands for a personal ticket: no shared cache keeps it, and it can run nothing.
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.get("/r/<token>/ticket.pdf")
@limiter.limit(public_link_limit)
def ticket(token: str):
    """The registrant's ticket as a PDF, while they hold a seat at an event with a door."""
    registration = services.find_by_token(token)
    if registration is None or not tickets.has_ticket(registration):
        abort(404)
    response = Response(tickets.ticket_pdf(registration), mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=tickets.filename(registration))
    # A personal document: no cache, shared or the browser's own, keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.post("/r/<token>/cancel")
@limiter.limit(public_link_limit)
def cancel(token: str):
    """Cancel one's own registration; the seat goes to the first person waiting."""
    registration = services.find_by_token(token) or abort(404)
    try:
        services.ensure_cancellable(registration)
    except services.RegistrationError as refused:
        flash(str(refused), "error")
        return redirect(url_for("registration.manage", token=token), code=303)
    services.cancel_registration(registration.id)
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("registration.manage", token=token), code=303)
