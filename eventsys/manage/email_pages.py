"""Opening one email of the outbox: what it says, to whom, and how its delivery went (routes of /manage/).

The HTML version is shown as the recipient's mail program would show it, in a frame
of its own, served by a route of its own with a policy that lets it load nothing and
run nothing. It is never put into our page as markup: it is a whole document of its
own (<html>, its own styles), and its text comes from people outside the office.
An event's organisers open its emails only (access.EVENT_PARTS answers 404 for
another event's email id); the office-wide routes are for admins.
"""

from urllib.parse import urlsplit

from flask import abort, current_app, make_response, render_template, url_for

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.mail.kinds import label_of
from eventsys.mail.models import OutboundEmail
from eventsys.mail.viewing import html_as_shown
from eventsys.manage import bp
from eventsys.manage.access import admin_page, current_event, event_page
from eventsys.manage.delivery_errors import plain_error


def email_document_policy() -> str:
    """What the email's own document may do in its frame: show its inline styles and its images, nothing more.

    Its images are ours: inline (cid: parts turned into data:), or on the public address
    (BASE_URL) its links are made with (emails sent before the QR code went inline).
    """
    base = urlsplit(current_app.config["BASE_URL"])
    public = f"{base.scheme}://{base.netloc}" if base.scheme in ("http", "https") and base.netloc else ""
    return "; ".join([
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        f"img-src data: 'self' {public}".rstrip(),
        "frame-ancestors 'self'",
        "sandbox",
    ])


def _email(email_id: int) -> OutboundEmail:
    email = db.session.get(OutboundEmail, email_id)
    if email is None:
        abort(404)
    return email


def _email_page(email: OutboundEmail, event: Event | None, *, html_url: str, back_url: str):
    """The page of one email; times in its event's zone, or UTC for an email of no event."""
    if event is None and email.event_id is not None:
        event = db.session.get(Event, email.event_id)
    return render_template("manage/email.html", email=email, event=event, kind_label=label_of(email.kind),
                           zone=event.timezone if event else "UTC", html_url=html_url, back_url=back_url,
                           plain_error=plain_error(email.last_error, email.state))


def _email_document(email: OutboundEmail):
    """The stored HTML alone, under email_document_policy(); 404 until it has been prepared."""
    if email.html_body is None:
        abort(404)
    response = make_response(html_as_shown(db.session, email))
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = email_document_policy()
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/outbox/<int:email_id>")
@admin_page
def email(email_id: int):
    """One email of the office, opened."""
    return _email_page(_email(email_id), None, html_url=url_for("manage.email_html", email_id=email_id),
                       back_url=url_for("manage.outbox"))


@bp.get("/outbox/<int:email_id>/html")
@admin_page
def email_html(email_id: int):
    """The HTML version of one email of the office, for the frame of its page."""
    return _email_document(_email(email_id))


@bp.get("/events/<int:event_id>/outbox/<int:email_id>")
@event_page
def event_email(event_id: int, email_id: int):
    """One of the event's emails, opened."""
    return _email_page(_email(email_id), current_event(),
                       html_url=url_for("manage.event_email_html", event_id=event_id, email_id=email_id),
                       back_url=url_for("manage.event_outbox", event_id=event_id))


@bp.get("/events/<int:event_id>/outbox/<int:email_id>/html")
@event_page
def event_email_html(event_id: int, email_id: int):
    """The HTML version of one of the event's emails, for the frame of its page."""
    return _email_document(_email(email_id))
