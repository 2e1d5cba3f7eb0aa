"""The email that gives an attendee their certificate of attendance: a signed link, the PDF made on download.

It goes to each checked-in registrant in their own language, once (its idempotency key
is per registration: pressing "Email certificates" twice sends nothing twice). The PDF
is not attached: a link keeps the email small for a thousand attendees, and the
certificate is drawn when opened, so it is issued only to those who want it.
A kind's value is stored in its outbox rows and names its templates: never change one.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from eventsys import tokens
from eventsys.links import external_url
from eventsys.mail.kinds import EmailKind
from eventsys.mail.models import OutboundEmail
from eventsys.registration.emails import preload_registrations
from eventsys.registration.models import Registration

ATTENDANCE_CERTIFICATE = "attendance_certificate"

#: the purpose download links are signed for
DOWNLOAD_PURPOSE = "attendance-certificate"


def download_link_age() -> timedelta:
    """How long an emailed download link works (CERTIFICATE_LINK_DAYS, a year unless set)."""
    return timedelta(days=int(current_app.config.get("CERTIFICATE_LINK_DAYS") or 365))


def download_url(registration_id: int) -> str:
    """The signed link that downloads the registration's certificate."""
    token = tokens.make_token(DOWNLOAD_PURPOSE, {"registration": registration_id})
    return external_url("certificates.download", token=token)


def _certificate_context(session: Session, email: OutboundEmail) -> dict:
    registration = session.get(Registration, email.registration_id)
    return {"registration": registration, "event": registration.event, "name": registration.name,
            "download_url": download_url(registration.id)}


#: registered by eventsys.register_email_kinds
KINDS = (
    EmailKind(ATTENDANCE_CERTIFICATE, _certificate_context, preload=preload_registrations,
              label=_l("Certificate of attendance")),
)
