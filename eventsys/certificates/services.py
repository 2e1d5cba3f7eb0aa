"""The rules of certificates of attendance: who gets one, issuing it once, emailing everyone's link.

A registrant gets a certificate once the event is over if they were checked in at the
door and did not cancel: the check-in is what proves attendance. The certificate is
issued the first time it is asked for (a download from the registrant's page, or from
the emailed link), and the same row answers every later download: an INSERT that does
nothing on conflict with the unique registration_id, then a read, so two downloads at
once make one certificate on both databases without a lock.
"""

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from eventsys.certificates import emails
from eventsys.certificates.models import REFERENCE_MAX, Certificate
from eventsys.database import db, utcnow
from eventsys.events.models import Event, EventStatus
from eventsys.registration.emails import enqueue_for_registrations
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.retention.erasers import register_eraser
from eventsys.visas.passports import masked

#: the letters of a reference's random part: no 0/O, 1/I/L look-alikes (as visa letters and check-in codes)
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


class NotEligible(Exception):
    """No certificate for this registration (now); the message says why, for the registrant.

    `gone`: it never will be (cancelled, or the event's records erased), rather than not yet or not so.
    """

    def __init__(self, message: str, gone: bool = False):
        super().__init__(message)
        self.gone = gone


def why_not_eligible(registration: Registration, now: datetime | None = None) -> NotEligible | None:
    """Why this registration has no certificate (now), or None when it may have one."""
    now = now or utcnow()
    event = registration.event
    if event.anonymised_at is not None:
        return NotEligible(_("The records of this event have been erased: certificates can no longer be "
                             "issued for it."), gone=True)
    if event.status is EventStatus.cancelled:
        return NotEligible(_("This event was cancelled."), gone=True)
    if registration.status is RegistrationStatus.cancelled:
        return NotEligible(_("This registration was cancelled, so it has no certificate of attendance."),
                           gone=True)
    if now < event.ends_at:
        return NotEligible(_("Certificates of attendance are issued once the event is over."))
    if registration.checked_in_at is None:
        return NotEligible(_("Certificates of attendance are issued to those checked in at the event. If you "
                             "attended, please write to the organisers."))
    return None


def _attendees(event_id: int) -> list[sa.ColumnElement[bool]]:
    """The registrations of the event that get a certificate once it is over: checked in, not cancelled."""
    return [Registration.event_id == event_id, Registration.checked_in_at.is_not(None),
            Registration.status != RegistrationStatus.cancelled]


def attendee_count(event_id: int) -> int:
    """How many of the event's registrants are (or will be, once it ends) eligible."""
    return db.session.scalar(sa.select(sa.func.count()).where(*_attendees(event_id)))


def issued_count(event_id: int) -> int:
    """How many certificates of the event have been issued (downloaded at least once)."""
    return db.session.scalar(sa.select(sa.func.count()).where(Certificate.event_id == event_id))


def certificate_of(registration_id: int) -> Certificate | None:
    """The registration's certificate, if it was issued."""
    return db.session.scalar(sa.select(Certificate).where(Certificate.registration_id == registration_id))


def _new_reference(event: Event) -> str:
    return f"AC-{event.starts_at.year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def issue(registration: Registration, now: datetime | None = None) -> Certificate:
    """The registration's certificate, issued now if it has none; NotEligible when it may have none.

    Commits. Asking again returns the same certificate, with the name it was issued to.
    """
    now = now or utcnow()
    refusal = why_not_eligible(registration, now)
    if refusal is not None:
        raise refusal
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    # Three draws: a reference that came up twice (30^6 of them a year) also meets the conflict.
    for _attempt in range(3):
        existing = certificate_of(registration.id)
        if existing is not None:
            return existing
        name, latin = registration.name, (registration.name_latin or "").strip()
        db.session.execute(dialect.insert(Certificate).values(
            event_id=registration.event_id, registration_id=registration.id,
            reference=_new_reference(registration.event), issued_at=now, holder_name=name,
            holder_name_latin=latin, holder_masked=masked(name),
        ).on_conflict_do_nothing())
        db.session.commit()
    certificate = certificate_of(registration.id)
    if certificate is None:
        raise RuntimeError(f"no certificate could be issued for registration {registration.id}")
    return certificate


def by_reference(reference: str) -> Certificate | None:
    """The certificate a reference names, in any case and with stray spaces; None for anything else."""
    reference = (reference or "").strip().upper()
    if not reference or len(reference) > REFERENCE_MAX:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.reference == reference))


def email_attendees(event: Event, now: datetime | None = None) -> int:
    """Queue each attendee's certificate email (a link, the PDF made on download); returns how many were new.

    One email per registration ever: pressing the button again queues nothing for those
    already sent one. Refuses with NotEligible before the event is over.
    """
    now = now or utcnow()
    if event.anonymised_at is not None:
        raise NotEligible(_("The records of this event have been erased: certificates can no longer be "
                            "issued for it."), gone=True)
    if event.status is EventStatus.cancelled:
        raise NotEligible(_("This event was cancelled."), gone=True)
    if now < event.ends_at:
        raise NotEligible(_("Certificates can be sent once the event is over."))
    added = enqueue_for_registrations(emails.ATTENDANCE_CERTIFICATE, sa.and_(*_attendees(event.id)))
    db.session.commit()
    return added


@register_eraser
def erase_certificate_holders(event_id: int) -> None:
    """Anonymising the event: its certificates lose the holders' names; the reference and masked name stay.

    So a certificate shown to an employer years later still verifies as genuine.
    Runs inside the anonymisation's transaction (retention/erasers.py): no commit here.
    """
    db.session.execute(
        sa.update(Certificate)
        .where(Certificate.event_id == event_id)
        .values(holder_name="", holder_name_latin="",
                erased_at=sa.func.coalesce(Certificate.erased_at, utcnow()))
        .execution_options(synchronize_session=False)
    )
