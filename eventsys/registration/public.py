"""The public's way in: the per-mailbox limit, then a registration, or an attempt to confirm by email.

The web form and the API both call `register`, so the two can never differ in what
they let through. Organisers adding people by hand call services.register directly:
neither the limit nor the verification applies to them.
"""

from flask import Response, after_this_request, request

from eventsys.database import db
from eventsys.events import services as events
from eventsys.events.models import Event
from eventsys.registration import event_snapshots, services, verification
from eventsys.registration.models import Registration, RegistrationAttempt


def event_to_register_for(slug: str) -> Event | None:
    """The event a public registration is for, as the first thing the request does.

    A form being shown reads it afresh; a registration being sent gets the process's
    snapshot (event_snapshots.py: read once a second, shared, not to be changed). On
    PostgreSQL the request then reads and registers on one connection without a
    transaction (services.read_outside_transactions); the connection goes back to the
    pool with the response.
    """
    services.read_outside_transactions()

    @after_this_request
    def _end_reads(response: Response) -> Response:
        db.session.commit()
        return response

    if request.method != "POST":
        return events.event_by_slug(slug)
    return event_snapshots.event_for_registration(slug)


def register(event: Event, applicant: services.Applicant) -> Registration | RegistrationAttempt:
    """Register the applicant, or, on an event that verifies addresses, email them the link that will.

    Raises what services.register raises, and limits.TooManyRegistrations; nothing is
    written and no email is sent when it refuses.
    """
    if event.verify_emails:
        return verification.start(event, applicant)
    return services.register(event, applicant, limit_mailbox=True)
