"""The emails registration causes: their kinds, queuing one per registration, and what their templates get.

The registration context is shared: reminders, a moved or cancelled event and a
mailing to registrants are emails about a registration too, and their domains
build on registration_context and preload_registrations from here.

A kind's value is stored in every outbox row of that kind and names its templates
(templates/mail/<kind>.*): never change one. seats.py writes the first email of a
registration in SQL as "registration_" || status, which must stay one of these.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from eventsys.events.calendar import event_calendar
from eventsys.events.models import Event
from eventsys.links import external_url
from eventsys.mail import outbox
from eventsys.mail.kinds import Attachment, EmailKind
from eventsys.mail.models import OutboundEmail
from eventsys.registration import qrcodes, tickets
from eventsys.registration.models import Registration, RegistrationStatus

REGISTRATION_CONFIRMED = "registration_confirmed"
REGISTRATION_WAITLISTED = "registration_waitlisted"
REGISTRATION_PENDING = "registration_pending"
REGISTRATION_PROMOTED = "registration_promoted"
REGISTRATION_CANCELLED = "registration_cancelled"
REGISTRATION_VERIFY = "registration_verify"

#: the email that tells a registrant the status they were given ("registration_" + the status, as seats.py
#: writes it in SQL)
EMAIL_TELLING_STATUS = {
    RegistrationStatus.confirmed: REGISTRATION_CONFIRMED,
    RegistrationStatus.waitlisted: REGISTRATION_WAITLISTED,
    RegistrationStatus.pending: REGISTRATION_PENDING,
}


def enqueue_for_registrations(kind: str, where: sa.ColumnElement[bool], *, scope: str = "",
                              context: dict | None = None, not_before: datetime | None = None) -> int:
    """Add one email of kind for every registration matching where, in one INSERT ... SELECT.

    scope distinguishes repeated kinds (the 1-day and the 1-hour reminder). Returns
    how many were added; registrations that already have this email are skipped.
    """
    prefix = f"{kind}:{scope}:" if scope else f"{kind}:"
    rows = sa.select(
        Registration.email,
        prefix + sa.literal("registration:") + sa.cast(Registration.id, sa.String),
        Registration.locale,
        Registration.event_id,
        Registration.id,
    ).where(where)
    return outbox.enqueue_selected(kind, rows, context=context, not_before=not_before)


def active_registrations_of(event_id: int) -> sa.ColumnElement[bool]:
    """Registrations of the event that are not cancelled: holding a seat, waiting, or awaiting approval."""
    return sa.and_(
        Registration.event_id == event_id,
        Registration.status.in_(
            [RegistrationStatus.confirmed, RegistrationStatus.waitlisted, RegistrationStatus.pending]
        ),
    )


def preload_registrations(session: Session, emails: list[OutboundEmail]) -> list[Registration]:
    """The registrations of a batch's emails, with their events, in one query."""
    ids = {email.registration_id for email in emails if email.registration_id is not None}
    if not ids:
        return []
    return list(session.scalars(
        sa.select(Registration).where(Registration.id.in_(ids)).options(joinedload(Registration.event))
    ))


def registration_context(session: Session, email: OutboundEmail, *, may_carry_meeting_link: bool = False
                         ) -> dict:
    """The registration the email is about, its event, and the registrant's links.

    may_carry_meeting_link: the email can tell a confirmed attendee of their seat after
    the last reminder has gone, and then carries the meeting link itself.
    """
    # Imported here, not above: registration.services imports this module, and would find it half made.
    from eventsys.registration.services import waitlist_position

    registration = session.get(Registration, email.registration_id)
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "event_url": external_url("events.detail", slug=event.slug),
        "manage_url": external_url("registration.manage", token=registration.token),
        "position": waitlist_position(registration, session),
        # Where the registrant is, if they said: the templates add their own time (timezones.in_zones).
        "reader_zone": registration.timezone,
        **_meeting_link_context(registration, may_carry_meeting_link),
    }


def _meeting_link_context(registration: Registration, may_carry_meeting_link: bool) -> dict:
    """When the meeting link comes (for the event's facts), and whether this very email gives it."""
    # Imported here, not above: reminders.services imports this module, and would find it half made.
    from eventsys.reminders.services import link_comes_with_seat, meeting_link_lead

    event = registration.event
    if not event.is_online:
        return {}
    context = {"meeting_link_lead": meeting_link_lead(event)}
    if may_carry_meeting_link:
        context["with_meeting_link"] = link_comes_with_seat(event, registration)
    return context


def seat_context(session: Session, email: OutboundEmail) -> dict:
    """registration_context of an email giving a seat: it may carry the meeting link, and carries the ticket.

    qr_cid: the check-in code's image inside the message (ticket_attachments adds it), as
    remote images are blocked by default in Gmail and Outlook; None when there is no ticket.
    """
    context = registration_context(session, email, may_carry_meeting_link=True)
    registration = context["registration"]
    context["qr_cid"] = qr_content_id(registration) if tickets.has_ticket(registration) else None
    return context


def qr_content_id(registration: Registration) -> str:
    """The Content-ID of the check-in code's image in an email: the same for every delivery of it.

    It need only be unique within the message (RFC 2392), and it must not depend on a
    setting: a row rendered before MAIL_DEFAULT_SENDER changed still finds its image.
    """
    return f"check-in-code.{registration.id}@eventsys"


def ticket_attachments(session: Session, email: OutboundEmail) -> list[Attachment]:
    """An email giving a seat at a door carries its ticket: the QR image its HTML shows, and the PDF.

    Made from the registration as it is at delivery, so a retry sends the same; nothing
    when it no longer has a ticket (cancelled since, or anonymised): the email then goes
    as written, its text still giving the code. The image only when the HTML shows it: a
    row rendered before images were inline would otherwise carry a stray picture.
    """
    registration = session.get(Registration, email.registration_id) if email.registration_id else None
    if registration is None or not tickets.has_ticket(registration):
        return []
    parts = []
    content_id = qr_content_id(registration)
    if f"cid:{content_id}" in (email.html_body or ""):
        image = qrcodes.png_document(registration.checkin_code)
        parts.append(Attachment("check-in-code.png", "image/png", image, content_id=content_id))
    pdf = tickets.ticket_pdf(registration)
    parts.append(Attachment(tickets.filename(registration), "application/pdf", pdf))
    return parts


def event_ics(context: dict) -> str:
    """The event's .ics, from the context of an email about it; a cancellation's removes the entry."""
    return event_calendar(context["event"], context["event_url"]).decode()


def _event_context(session: Session, email: OutboundEmail) -> dict:
    """The event of an email about no registration yet (a registrant confirming their address)."""
    event = session.get(Event, email.event_id)
    return {"event": event, "event_url": external_url("events.detail", slug=event.slug)}


def _verification_context(email: OutboundEmail) -> dict:
    """When the verification link stops working, as an instant, and how many minutes that is."""
    expires_at = datetime.fromisoformat(email.context["expires_at"])
    # The zone the person gave on the form (rows queued before it was stored have none).
    return {"expires_at": expires_at, "minutes": round((expires_at - email.created_at).total_seconds() / 60),
            "reader_zone": email.context.get("timezone")}


def _verify_context(session: Session, email: OutboundEmail) -> dict:
    return {**_event_context(session, email), **_verification_context(email)}


#: registered by eventsys.register_email_kinds
KINDS = (
    EmailKind(REGISTRATION_CONFIRMED, seat_context, ics=event_ics, preload=preload_registrations,
              label=_l("Registration confirmed"), attachments=ticket_attachments),
    EmailKind(REGISTRATION_WAITLISTED, registration_context, preload=preload_registrations,
              label=_l("On the waiting list")),
    EmailKind(REGISTRATION_PENDING, registration_context, preload=preload_registrations,
              label=_l("Registration awaiting approval")),
    EmailKind(REGISTRATION_PROMOTED, seat_context, ics=event_ics, preload=preload_registrations,
              label=_l("Moved from the waiting list"), attachments=ticket_attachments),
    EmailKind(REGISTRATION_CANCELLED, registration_context, preload=preload_registrations,
              label=_l("Registration cancelled")),
    EmailKind(REGISTRATION_VERIFY, _verify_context, label=_l("Email address check")),
)
