"""The rules of visa invitation letters: who may ask, what a request needs, and an organiser's decision.

A registrant with a confirmed seat, or a speaker who accepted, whose country is not the
host's (HOST_COUNTRY) may ask for one letter per event while the event offers them and
has not ended. An event's organisers approve (the letter gets its reference and its PDF,
and the requester an email with a download link), reject with a reason, or later revoke
an issued letter. Each decision is one guarded UPDATE on the request's status, so two
organisers deciding at once cannot both win.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from eventsys.accounts.models import User
from eventsys.database import db, utcnow
from eventsys.events.models import Event, EventStatus
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.services import find_by_token
from eventsys.retention.erasers import register_eraser
from eventsys.speakers.models import Engagement, InvitationStatus
from eventsys.visas import emails, letters, passports
from eventsys.visas.models import LetterStatus, VisaLetter
from eventsys.visas.passports import PassportDetails

#: the letters of a reference's random part: no 0/O, 1/I/L look-alikes (as check-in codes)
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
#: a stay longer than this is not a visit to an event
LONGEST_STAY = timedelta(days=90)
#: the open statuses: a requester has at most one such letter per event
OPEN = (LetterStatus.requested, LetterStatus.approved)


class LetterRefused(ValueError):
    """A request or decision breaks a rule; `errors` maps each field concerned to messages ("" = form)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


@dataclass(frozen=True)
class Requester:
    """Who asks for a letter: a registrant or a speaker of one event."""

    event: Event
    name: str
    email: str
    country: str
    locale: str
    registration_id: int | None = None
    engagement_id: int | None = None


@dataclass(frozen=True)
class LetterRequest:
    """What a letter needs, as the requester gives it."""

    passport: PassportDetails
    arrival_on: date
    departure_on: date
    purpose: str
    consulate: str


def host_country() -> str:
    """The host institution's country: "foreign" means any other."""
    return current_app.config.get("HOST_COUNTRY") or "CN"


def registrant(token: str) -> Requester | None:
    """The registrant a self-service token names, as a requester."""
    registration = find_by_token(token)
    if registration is None:
        return None
    return Requester(event=registration.event, name=registration.name, email=registration.email,
                     country=registration.country, locale=registration.locale,
                     registration_id=registration.id)


def speaker(engagement_id: int) -> Requester | None:
    """The speaker of an engagement, as a requester."""
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None or engagement.speaker.email is None:
        return None
    speaker_ = engagement.speaker
    return Requester(event=engagement.event, name=speaker_.name, email=speaker_.email,
                     country=speaker_.country, locale=speaker_.locale or "en",
                     engagement_id=engagement.id)


def why_not_eligible(requester: Requester, today: date | None = None) -> str | None:
    """Why this requester cannot ask for a letter now, or None when they can."""
    event = requester.event
    today = today or utcnow().date()
    if not event.offers_visa_letters or event.status is not EventStatus.published:
        return _("This event does not offer visa invitation letters.")
    if event.ends_at.date() < today:
        return _("The event is over: letters are no longer issued for it.")
    if requester.country == host_country():
        return _("Invitation letters are for participants travelling from abroad.")
    if requester.registration_id is not None:
        registration = db.session.get(Registration, requester.registration_id)
        if registration.status is not RegistrationStatus.confirmed:
            return _("A letter can be requested once your seat is confirmed.")
    else:
        engagement = db.session.get(Engagement, requester.engagement_id)
        if engagement.invitation_status is not InvitationStatus.accepted:
            return _("A letter can be requested once you have accepted the invitation.")
    if not passports.available():
        return _("Invitation letters cannot be requested at the moment. Please write to the organisers.")
    return None


def letters_of(requester: Requester) -> list[VisaLetter]:
    """The requester's letters for this event, newest first."""
    column, value = ((VisaLetter.registration_id, requester.registration_id) if requester.registration_id
                     else (VisaLetter.engagement_id, requester.engagement_id))
    return list(db.session.scalars(
        sa.select(VisaLetter).where(column == value)
        .order_by(VisaLetter.requested_at.desc(), VisaLetter.id.desc())
    ))


def _request_errors(event: Event, request: LetterRequest, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    zone = event.zone
    first, last = event.starts_at.astimezone(zone).date(), event.ends_at.astimezone(zone).date()
    if request.passport.date_of_birth >= today:
        errors["date_of_birth"] = [_("The date of birth must be in the past.")]
    if request.arrival_on < today:
        errors["arrival_on"] = [_("The arrival date is in the past.")]
    elif request.arrival_on > last:
        errors["arrival_on"] = [_("Arrive by the last day of the event.")]
    if request.departure_on < request.arrival_on:
        errors["departure_on"] = [_("The departure must not be before the arrival.")]
    elif request.departure_on < first:
        errors["departure_on"] = [_("Leave after the event has begun.")]
    elif request.departure_on - request.arrival_on > LONGEST_STAY:
        errors["departure_on"] = [_("A stay for the event is at most %(days)s days.", days=LONGEST_STAY.days)]
    return errors


def request_letter(requester: Requester, request: LetterRequest, today: date | None = None) -> VisaLetter:
    """Store a request (passport details encrypted) for the event's organisers to decide on."""
    today = today or utcnow().date()
    reason = why_not_eligible(requester, today)
    if reason:
        raise LetterRefused({"": [reason]})
    errors = _request_errors(requester.event, request, today)
    if errors:
        raise LetterRefused(errors)
    # The event's row lock makes two requests sent at once queue, so the second sees the first.
    db.session.execute(sa.select(Event.id).where(Event.id == requester.event.id).with_for_update())
    if any(letter.status in OPEN for letter in letters_of(requester)):
        db.session.rollback()
        raise LetterRefused({"": [_("You have already requested a letter for this event.")]})
    letter = VisaLetter(
        event_id=requester.event.id, registration_id=requester.registration_id,
        engagement_id=requester.engagement_id, status=LetterStatus.requested, email=requester.email,
        locale=requester.locale, requester_name=requester.name,
        passport_data=passports.seal(request.passport),
        arrival_on=request.arrival_on, departure_on=request.departure_on, purpose=request.purpose,
        consulate=request.consulate, requested_at=utcnow(),
    )
    db.session.add(letter)
    db.session.commit()
    return letter


def letters_of_event(event_id: int, status: LetterStatus | None = None) -> list[VisaLetter]:
    """An event's letter requests, the waiting ones first, then by date."""
    query = sa.select(VisaLetter).where(VisaLetter.event_id == event_id)
    if status is not None:
        query = query.where(VisaLetter.status == status)
    waiting_first = sa.case((VisaLetter.status == LetterStatus.requested, 0), else_=1)
    return list(db.session.scalars(query.order_by(waiting_first, VisaLetter.requested_at, VisaLetter.id)))


def letter_of_event(event_id: int, letter_id: int) -> VisaLetter | None:
    """One of the event's letters."""
    return db.session.scalar(sa.select(VisaLetter).where(VisaLetter.id == letter_id,
                                                         VisaLetter.event_id == event_id))


def passport_of(letter: VisaLetter) -> PassportDetails | None:
    """The decrypted passport details, None once erased."""
    return passports.unseal(letter.passport_data) if letter.passport_data else None


def _new_reference(event: Event) -> str:
    year = event.starts_at.year
    while True:
        reference = f"VL-{year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if db.session.scalar(sa.select(VisaLetter.id).where(VisaLetter.reference == reference)) is None:
            return reference


def _decide(letter: VisaLetter, user: User, moving: tuple[LetterStatus, LetterStatus], refused: str,
            tell: Callable[[VisaLetter], None], **values) -> VisaLetter:
    """Move the letter from one status to the next, tell the requester, commit; LetterRefused(refused)
    when someone moved it first (the guarded UPDATE waits for their commit, then finds no row)."""
    from_status, to_status = moving
    result = db.session.execute(
        sa.update(VisaLetter)
        .where(VisaLetter.id == letter.id, VisaLetter.status == from_status)
        .values(status=to_status, decided_at=utcnow(), decided_by_id=user.id, **values)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise LetterRefused({"": [refused]})
    tell(letter)
    db.session.commit()
    db.session.refresh(letter)
    return letter


def approve(letter: VisaLetter, user: User, today: date | None = None) -> VisaLetter:
    """Issue the letter: its reference, its PDF (kept encrypted), and an email to the requester."""
    if letter.status is not LetterStatus.requested:
        raise LetterRefused({"": [_("This request has already been decided.")]})
    try:
        details = passport_of(letter)
    except passports.PassportKeysMissing:  # PASSPORT_KEYS dropped since the request came in
        raise LetterRefused({"": [_("This server has no key for passport details: ask its administrator "
                                    "to set one (PASSPORT_KEYS).")]}) from None
    except passports.UnreadablePassportData:
        raise LetterRefused({"": [_("Encrypted with a key this installation no longer has.")]}) from None
    if details is None:
        raise LetterRefused({"": [_("The passport details of this request have been erased.")]})
    reference = _new_reference(letter.event)
    letter.reference = reference  # the PDF prints it; written by the UPDATE below
    pdf = letters.render_pdf(letter, details, letters.office_template(), today or utcnow().date())
    return _decide(letter, user, (LetterStatus.requested, LetterStatus.approved),
                   _("This request has already been decided."), emails.queue_letter_issued,
                   reference=reference, holder_masked=passports.masked(details.full_name),
                   letter_pdf=passports.encrypt_bytes(pdf))


def reject(letter: VisaLetter, user: User, reason: str) -> VisaLetter:
    """Refuse the request, telling the requester why."""
    if not reason.strip():
        raise LetterRefused({"reason": [_("Say why, for the requester.")]})
    return _decide(letter, user, (LetterStatus.requested, LetterStatus.rejected),
                   _("This request has already been decided."), emails.queue_letter_rejected,
                   reason=reason.strip())


def revoke(letter: VisaLetter, user: User, reason: str) -> VisaLetter:
    """Withdraw an issued letter: the verification page says so from now on, and the link stops working."""
    if not reason.strip():
        raise LetterRefused({"reason": [_("Say why: the verification page shows it.")]})
    return _decide(letter, user, (LetterStatus.approved, LetterStatus.revoked),
                   _("Only an issued letter can be revoked."), emails.queue_letter_revoked,
                   reason=reason.strip(), letter_pdf=None)


def letter_by_id(letter_id: int) -> VisaLetter | None:
    """A letter by its id (from a signed link)."""
    return db.session.get(VisaLetter, letter_id) if 0 < letter_id < 2**31 else None


def is_valid(letter: VisaLetter, today: date | None = None) -> bool:
    """Issued, not revoked, and the stay it covers not yet over."""
    today = today or utcnow().date()
    return letter.status is LetterStatus.approved and letter.departure_on >= today


def issued_pdf(letter: VisaLetter) -> bytes | None:
    """The issued PDF, decrypted; None when not issued, revoked, or erased."""
    if letter.status is not LetterStatus.approved or letter.letter_pdf is None:
        return None
    return passports.decrypt_bytes(letter.letter_pdf)


def by_reference(reference: str) -> VisaLetter | None:
    """The issued (or revoked) letter with this reference."""
    reference = reference.strip().upper()
    if not reference or len(reference) > 32:
        return None
    return db.session.scalar(sa.select(VisaLetter).where(
        VisaLetter.reference == reference,
        VisaLetter.status.in_((LetterStatus.approved, LetterStatus.revoked))))


def offer_letters(event: Event, offered: bool) -> None:
    """Open or close letter requests for the event (requests already made stay)."""
    event.offers_visa_letters = offered
    db.session.commit()


@register_eraser
def erase_passport_data(event_id: int) -> None:
    """Anonymising the event: its letters lose passport details, PDF and the registrants' names and addresses.

    The reference, status, masked name and dates stay, so an embassy's check still answers.
    Runs inside the anonymisation's transaction (retention/erasers.py): no commit here.
    """
    db.session.execute(
        sa.update(VisaLetter)
        .where(VisaLetter.event_id == event_id)
        .values(passport_data=None, letter_pdf=None,
                erased_at=sa.func.coalesce(VisaLetter.erased_at, utcnow()))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(VisaLetter)
        .where(VisaLetter.event_id == event_id, VisaLetter.registration_id.is_not(None))
        .values(requester_name="Anonymised", purpose="",
                email=sa.literal("anonymised-letter-") + sa.cast(VisaLetter.id, sa.String)
                + "@anonymised.invalid")
        .execution_options(synchronize_session=False)
    )


def erase_due_passport_data(now=None) -> int:
    """Beat: erase passport data of events ended VISA_PASSPORT_RETENTION_DAYS ago; returns letters erased."""
    now = now or utcnow()
    cutoff = now - timedelta(days=int(current_app.config.get("VISA_PASSPORT_RETENTION_DAYS") or 30))
    result = db.session.execute(
        sa.update(VisaLetter)
        .where(VisaLetter.erased_at.is_(None),
               VisaLetter.event_id.in_(sa.select(Event.id).where(Event.ends_at <= cutoff)))
        .values(passport_data=None, letter_pdf=None, erased_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def rotate_keys() -> int:
    """Re-encrypt every stored passport record and PDF with the newest key; returns the letters rewritten."""
    count = 0
    for letter in db.session.scalars(sa.select(VisaLetter).where(VisaLetter.erased_at.is_(None))):
        if letter.passport_data:
            letter.passport_data = passports.rotate(letter.passport_data)
        if letter.letter_pdf:
            letter.letter_pdf = passports.rotate(letter.letter_pdf)
        count += 1
    db.session.commit()
    return count
