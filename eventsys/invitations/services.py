"""The rules of invitations to register: invite, answer, and release what an unanswered one held.

Seats: a batch that holds seats adds one to the event's held_count per invitation,
under the event's row lock, and only while that many seats are free. The seat rule
(registration/services.has_free_seat and its SQL twin in seats.py) counts held seats
as taken, so nobody else can have them, whatever the concurrency. An invitee
registering turns their held seat into a confirmed one under the same lock; a
declined, expired or revoked invitation gives it back and, in the same transaction,
fill_free_seats hands it to the head of the waiting list. So the waiting list keeps
its order and no seat is ever held and given at once.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from eventsys.database import committed, db, utcnow
from eventsys.events.lifecycle import ChangeRefused
from eventsys.events.models import Event, EventStatus
from eventsys.invitations import emails
from eventsys.invitations.invitees import Invitee, InviteeReport, check_invitees
from eventsys.invitations.models import Invitation, InvitationBatch, InvitationStatus
from eventsys.registration import checkin_codes, tally
from eventsys.registration import services as registration
from eventsys.registration.emails import EMAIL_TELLING_STATUS, enqueue_for_registrations
from eventsys.registration.errors import RegistrationClosed
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.retention.erasers import register_eraser
from eventsys.webhooks import emit as webhooks

__all__ = ["BatchOptions", "ChangeRefused", "InvitationClosed", "InviteesRefused", "confirm_submission",
           "decline", "default_deadline", "ensure_answerable", "ensure_event_takes_invitees", "extend",
           "invite", "register_invitee", "release", "resend", "revoke"]


class InvitationClosed(Exception):
    """The invitation can no longer be answered; the message says why (declined, expired, revoked...)."""


class InviteesRefused(Exception):
    """Some invitees cannot be invited; nothing was sent. `report` has a line per row."""

    def __init__(self, report: list[InviteeReport]):
        super().__init__(_("Some invitees cannot be invited."))
        self.report = report


@dataclass(frozen=True)
class BatchOptions:
    """What a batch of invitations is sent with."""

    holds_seats: bool = False
    skips_approval: bool = False
    skips_verification: bool = True
    #: None: the registration's close, else the event's start
    deadline: datetime | None = None


def default_deadline(event: Event) -> datetime:
    """When invitations run out unless the organiser says otherwise: registration's close, else the start."""
    return event.registration_closes_at or event.starts_at


def _check_deadline(event: Event, deadline: datetime, now: datetime) -> None:
    if deadline <= now:
        raise ChangeRefused({"deadline": _("The deadline must be in the future.")})
    if deadline > event.ends_at:
        raise ChangeRefused({"deadline": _("The deadline cannot be after the event ends.")})


def _hold(event: Event, count: int) -> None:
    """Set count seats aside on the locked event, or refuse saying how many are free."""
    if event.capacity is None:
        event.held_count += count
        return
    free = max(event.capacity - event.confirmed_count - event.held_count, 0)
    if count > free:
        raise ChangeRefused({"holds_seats": ngettext(
            "Only %(num)d seat is free to hold; invite fewer people, raise the capacity, or send without "
            "holding seats.",
            "Only %(num)d seats are free to hold; invite fewer people, raise the capacity, or send without "
            "holding seats.", free)})
    event.held_count += count


def invite(event_id: int, invitees: list[Invitee], options: BatchOptions, by_user_id: int | None = None,
           now: datetime | None = None) -> InvitationBatch:
    """Invite people to register, each emailed a personal link; all or none.

    Raises InviteesRefused when any row is wrong (a report line per row), ChangeRefused
    when the batch cannot be sent as asked (no seats to hold, a deadline in the past).
    """
    now = now or utcnow()
    if not invitees:
        raise ChangeRefused({"": _("Add at least one invitee.")})
    event = db.session.get(Event, event_id)
    if event.status is EventStatus.cancelled or now >= event.ends_at:
        raise ChangeRefused({"": _("This event is over or cancelled: nobody can be invited to it.")})
    if event.status is EventStatus.draft:
        # The links would open a form that cannot register anyone yet.
        raise ChangeRefused({"": _("Publish the event first: invitees could not register for a draft.")})
    deadline = options.deadline or default_deadline(event)
    _check_deadline(event, deadline, now)
    # End the reads: the checks below run under the event's lock, against what is stored now.
    db.session.commit()
    with committed():
        event = registration.lock_event(event_id)
        report = check_invitees(event, invitees)
        if any(not line.ok for line in report):
            raise InviteesRefused(report)
        if options.holds_seats:
            _hold(event, len(invitees))
        batch = InvitationBatch(event_id=event_id, created_by_id=by_user_id, holds_seats=options.holds_seats,
                                skips_approval=options.skips_approval,
                                skips_verification=options.skips_verification, deadline=deadline,
                                created_at=now)
        db.session.add(batch)
        invitations = [
            Invitation(event_id=event_id, batch=batch, name=line.values["name"], email=line.values["email"],
                       affiliation=line.values["affiliation"], category=line.values["category"],
                       country=line.values["country"], locale=line.values["locale"],
                       holds_seat=options.holds_seats, expires_at=deadline, created_at=now)
            for line in report
        ]
        db.session.add_all(invitations)
        db.session.flush()
        for invitation in invitations:
            emails.queue_invitation(invitation)
    return batch


def _locked(invitation_id: int) -> tuple[Event, Invitation]:
    """The invitation's event, locked, and the invitation as it is once the lock is held."""
    event_id = db.session.scalar(sa.select(Invitation.event_id).where(Invitation.id == invitation_id))
    if event_id is None:
        raise InvitationClosed(_("This invitation no longer exists."))
    event = registration.lock_event(event_id)
    invitation = db.session.scalars(
        sa.select(Invitation).where(Invitation.id == invitation_id).execution_options(populate_existing=True)
    ).one()
    return event, invitation


def ensure_answerable(invitation: Invitation, now: datetime) -> None:
    """Raise InvitationClosed unless the invitee can still register or decline."""
    closed = {
        InvitationStatus.registered: _("You have already registered with this invitation."),
        InvitationStatus.declined: _("You declined this invitation."),
        InvitationStatus.expired: _("This invitation has expired."),
        InvitationStatus.revoked: _("This invitation was withdrawn by the organisers."),
    }
    if invitation.status in closed:
        raise InvitationClosed(closed[invitation.status])
    if now >= invitation.expires_at:
        raise InvitationClosed(_("This invitation has expired."))


def ensure_event_takes_invitees(event: Event, now: datetime) -> None:
    """Raise RegistrationClosed when the event can register nobody, invited or not.

    Unlike the public, invitees need no open registration window: their invitation's
    deadline is theirs (a closed forum never opens registration to the public at all).
    """
    if event.status is EventStatus.cancelled:
        raise RegistrationClosed(_("This event has been cancelled."), gone=True)
    if event.status is not EventStatus.published:
        raise RegistrationClosed(_("This event is not open for registration yet."), gone=False)
    if now >= event.ends_at:
        raise RegistrationClosed(_("This event has already taken place."), gone=True)


def release(event: Event, invitations: Iterable[Invitation], status: InvitationStatus, now: datetime
            ) -> list[Registration]:
    """End pending invitations with status on the locked event; held seats go to the waiting list at once."""
    released = 0
    for invitation in invitations:
        invitation.status = status
        invitation.answered_at = now
        invitation.submitted = None
        if invitation.holds_seat:
            invitation.holds_seat = False
            released += 1
    event.held_count -= released
    return registration.fill_free_seats(event, now) if released else []


def decline(invitation_id: int, now: datetime | None = None) -> list[Registration]:
    """The invitee declines: the invitation ends and a held seat goes to the first person waiting."""
    now = now or utcnow()
    with committed():
        event, invitation = _locked(invitation_id)
        ensure_answerable(invitation, now)
        promoted = release(event, [invitation], InvitationStatus.declined, now)
        webhooks.emit_invitation_answered(invitation)
    return promoted


def _pending_of(event_id: int, invitation_ids: Iterable[int]) -> sa.Select:
    """The pending invitations among these ids that belong to the event (ids of others are ignored)."""
    return sa.select(Invitation).where(
        Invitation.event_id == event_id, Invitation.id.in_(list(invitation_ids)),
        Invitation.status == InvitationStatus.pending)


def revoke(event_id: int, invitation_ids: Iterable[int], now: datetime | None = None) -> int:
    """Withdraw pending invitations of the event (others are left as they are); returns how many."""
    now = now or utcnow()
    with committed():
        event = registration.lock_event(event_id)
        pending = list(db.session.scalars(
            _pending_of(event_id, invitation_ids).execution_options(populate_existing=True)))
        release(event, pending, InvitationStatus.revoked, now)
    return len(pending)


def extend(event_id: int, invitation_ids: Iterable[int], deadline: datetime,
           now: datetime | None = None) -> int:
    """Move the deadline of pending invitations of the event; they are reminded again before it."""
    now = now or utcnow()
    event = db.session.get(Event, event_id)
    _check_deadline(event, deadline, now)
    extended = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.event_id == event_id, Invitation.id.in_(list(invitation_ids)),
               Invitation.status == InvitationStatus.pending)
        .values(expires_at=deadline, reminded_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return extended


def resend(event_id: int, invitation_ids: Iterable[int]) -> int:
    """Email pending invitations of the event again, with the same link; returns how many."""
    pending = list(db.session.scalars(_pending_of(event_id, invitation_ids)))
    for invitation in pending:
        invitation.sent_count += 1
        emails.queue_invitation(invitation)
    db.session.commit()
    return len(pending)


def register_invitee(invitation_id: int, applicant: registration.Applicant, now: datetime | None = None
                     ) -> Registration | Invitation:
    """Register the invitee from their form; the registration is bound to the invited address.

    Returns the registration, or the invitation when the batch asks the address to be
    confirmed first (an email was sent; confirm_submission registers at the click).
    Raises InvitationClosed, RegistrationClosed, InvalidRegistration or AlreadyRegistered.
    """
    now = now or utcnow()
    invitation = db.session.get(Invitation, invitation_id)
    ensure_answerable(invitation, now)
    event = invitation.event
    ensure_event_takes_invitees(event, now)
    applicant.email = invitation.email
    values = registration.check_applicant(event, applicant)
    values["locale"] = applicant.locale
    if event.verify_emails and not invitation.batch.skips_verification:
        invitation.submitted = {**values, "category": str(values["category"]),
                                "submitted_at": now.isoformat()}
        emails.queue_confirmation(invitation)
        db.session.commit()
        return invitation
    return _register(invitation_id, values, now, consented_at=now)


def confirm_submission(invitation_id: int, now: datetime | None = None) -> Registration:
    """The invitee clicked the address check: register what they submitted; their registration if made."""
    now = now or utcnow()
    invitation = db.session.get(Invitation, invitation_id)
    if invitation.status is InvitationStatus.registered and invitation.registration_id:
        return db.session.get(Registration, invitation.registration_id)
    ensure_answerable(invitation, now)
    ensure_event_takes_invitees(invitation.event, now)
    if not invitation.submitted:
        raise InvitationClosed(_("Nothing is waiting to be confirmed: open your invitation and register."))
    values = dict(invitation.submitted)
    consented_at = datetime.fromisoformat(values.pop("submitted_at"))
    return _register(invitation_id, values, now, consented_at=consented_at)


def _status_for(event: Event, invitation: Invitation) -> RegistrationStatus:
    """The invitee's status, decided on the locked event: their held seat, else the event's rule.

    A held seat is taken at once, approval or not: the organisers chose the person when
    they set the seat aside (keeping it held through an approval would leave a seat
    belonging to nobody's registration).
    """
    if invitation.holds_seat:
        return RegistrationStatus.confirmed
    if event.requires_approval and not invitation.batch.skips_approval:
        return RegistrationStatus.pending
    if registration.has_free_seat(event):
        return RegistrationStatus.confirmed
    return RegistrationStatus.waitlisted


def _register(invitation_id: int, values: dict[str, Any], now: datetime, consented_at: datetime
              ) -> Registration:
    """Make the invitee's registration under the event's lock, using the seat held for them if any."""
    # End the reads: the decision below is taken on the event and invitation as they are under the lock.
    db.session.commit()
    with committed():
        event, invitation = _locked(invitation_id)
        ensure_answerable(invitation, now)
        existing = registration.active_registration(event.id, invitation.email_key)
        if existing is not None:
            raise registration.AlreadyRegistered(existing)
        status = _status_for(event, invitation)
        new = Registration(
            event_id=event.id, name=values["name"], name_latin=values.get("name_latin") or "",
            email=invitation.email, affiliation=values["affiliation"],
            country=values["country"], category=values["category"], answers=values["answers"],
            timezone=values.get("timezone"), locale=values.get("locale") or invitation.locale,
            token=secrets.token_urlsafe(24), checkin_code=checkin_codes.new_code(), status=status,
            created_at=now, consented_at=consented_at,
            approved_at=now if event.requires_approval and status is not RegistrationStatus.pending else None,
        )
        if invitation.holds_seat:
            invitation.holds_seat = False
            event.held_count -= 1
        if status is RegistrationStatus.confirmed:
            event.confirmed_count += 1
        elif status is RegistrationStatus.waitlisted:
            event.waitlist_seq += 1
            event.waitlisted_count += 1
            new.waitlist_number = event.waitlist_seq
        db.session.add(new)
        db.session.flush()
        tally.shift(event.id, [(new.country, None, status)])
        enqueue_for_registrations(EMAIL_TELLING_STATUS[status], Registration.id == new.id)
        invitation.status = InvitationStatus.registered
        invitation.registration_id = new.id
        invitation.answered_at = now
        invitation.submitted = None
        webhooks.emit_registrations("registration.created", event, [new])
        webhooks.emit_invitation_answered(invitation)
    return new


@register_eraser
def erase_invitees(event_id: int) -> None:
    """Anonymising the event: its invitations keep status, category and country, and lose who they were for.

    Runs inside the anonymisation's transaction (retention/erasers.py): no commit here.
    """
    placeholder = sa.literal("anonymised-invitation-") + sa.cast(Invitation.id, sa.String)
    db.session.execute(
        sa.update(Invitation)
        .where(Invitation.event_id == event_id)
        .values(name="Anonymised", affiliation="", submitted=None, email=placeholder + "@anonymised.invalid",
                email_key=placeholder)
        .execution_options(synchronize_session=False)
    )
