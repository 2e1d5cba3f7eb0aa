"""The public side of certificates: downloading one's own, and checking a reference.

A registrant downloads from their self-service page (/r/<token>), or by the signed
link of the certificate email; the PDF is drawn on each download in their language.
Checking needs only the reference and shows what the certificate shows an employer,
the name masked; a reference we never issued answers 404 and says nothing more.
"""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from eventsys import tokens
from eventsys.certificates import document, emails, services
from eventsys.database import db
from eventsys.extensions import limiter
from eventsys.public_limits import public_link_limit
from eventsys.registration.models import Registration
from eventsys.registration.services import find_by_token

bp = Blueprint("certificates", __name__)


def _unavailable(reason: str, status: int):
    return render_template("certificates/unavailable.html", reason=reason), status


def _download(registration: Registration):
    """The registration's certificate as a PDF, issued now if need be; a page saying why not otherwise."""
    try:
        certificate = services.issue(registration)
    except services.NotEligible as refused:
        return _unavailable(str(refused), 410 if refused.gone else 403)
    return document.pdf_response(certificate, registration.locale or "en")


@bp.get("/r/<token>/certificate.pdf")
@limiter.limit(public_link_limit)
def own_certificate(token: str):
    """The registrant's certificate, from their self-service page."""
    registration = find_by_token(token) or abort(404)
    return _download(registration)


@bp.get("/certificates/<token>/certificate.pdf")
@limiter.limit(public_link_limit)
def download(token: str):
    """The certificate, by the signed link in its email."""
    try:
        payload = tokens.read_token(emails.DOWNLOAD_PURPOSE, token, emails.download_link_age())
    except tokens.ExpiredToken:
        return _unavailable(_("This download link has expired. Your own registration page still has the "
                              "certificate; the organisers can also send it again."), 410)
    except tokens.InvalidToken:
        abort(404)
    registration_id = payload.get("registration") if isinstance(payload, dict) else None
    if not isinstance(registration_id, int) or not 0 < registration_id < 2**31:
        abort(404)
    registration = db.session.get(Registration, registration_id) or abort(404)
    return _download(registration)


@bp.get("/verify/certificates")
@limiter.limit(public_link_limit)
def verify_form():
    """Where an employer or a university types a reference."""
    reference = (request.args.get("reference") or "").strip()
    if reference:
        return redirect(url_for("certificates.verify", reference=reference[:40]), code=303)
    return render_template("certificates/verify.html", certificate=None, reference=None)


@bp.get("/verify/certificates/<reference>")
@limiter.limit(public_link_limit)
def verify(reference: str):
    """Whether a reference is a certificate we issued: the masked holder, the event and its dates."""
    certificate = services.by_reference(reference)
    if certificate is None:
        return render_template("certificates/verify.html", certificate=None, reference=reference[:40]), 404
    return render_template("certificates/verify.html", certificate=certificate,
                           reference=certificate.reference, event=certificate.event)
