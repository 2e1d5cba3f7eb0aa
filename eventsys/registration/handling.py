"""What organisers do to registrations: approve, promote by hand, cancel many, check in, correct answers.

The same seat rules as self-service apply: every change of status happens under
the event's row lock and keeps the event's counters and the tally in step.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from eventsys.database import committed, db, utcnow
from eventsys.events.models import Event
from eventsys.registration import tally
from eventsys.registration.answers import InvalidAnswers, clean_answers
from eventsys.registration.emails import (
    EMAIL_TELLING_STATUS,
    REGISTRATION_CANCELLED,
    REGISTRATION_PROMOTED,
    enqueue_for_registrations,
)
from eventsys.registration.errors import RegistrationError
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.services import fill_free_seats, has_free_seat, lock_event
from eventsys.webhooks import emit as webhooks

__all__ = ["BulkCancel", "CheckIn", "InvalidAnswers", "OutsideEventDays", "approve", "cancel_many",
           "check_in", "event_days", "promote_by_hand", "undo_check_in", "update_answers"]


def _locked_registration(event_id: int, registration_id: int):
    """The event (locked) and its registration, read after the lock; RegistrationError if not its own."""
    event = lock_event(event_id)
    registration = db.session.scalars(
        sa.select(Registration)
        .where(Registration.id == registration_id, Registration.event_id == event_id)
        .execution_options(populate_existing=True)
    ).first()
    if registration is None:
        raise RegistrationError(_("This registration does not belong to this event."))
    return event, registration


def approve(event_id: int, registration_id: int, now: datetime | None = None) -> RegistrationStatus:
    """Approve a pending registration: a seat if one is free, else the waiting list; the person is told.

    Returns the new status. Approving twice changes nothing the second time.
    """
    now = now or utcnow()
    with committed():
        event, registration = _locked_registration(event_id, registration_id)
        if registration.status is not RegistrationStatus.pending:
            # Translators: %(status)s is the registration's status as the list names it, in lower case.
            raise RegistrationError(_("Only registrations awaiting approval can be approved; this one is "
                                      "%(status)s.", status=str(registration.status.label).lower()))
        if has_free_seat(event):
            registration.status = RegistrationStatus.confirmed
            event.confirmed_count += 1
        else:
            registration.status = RegistrationStatus.waitlisted
            event.waitlist_seq += 1
            event.waitlisted_count += 1
            registration.waitlist_number = event.waitlist_seq
        registration.approved_at = now
        tally.shift(event.id, [(registration.country, RegistrationStatus.pending, registration.status)])
        db.session.flush()
        enqueue_for_registrations(
            EMAIL_TELLING_STATUS[registration.status], Registration.id == registration.id
        )
        status = registration.status
    return status


def promote_by_hand(event_id: int, registration_id: int, now: datetime | None = None) -> None:
    """Give a free seat to this person on the waiting list, ahead of the queue (the organiser's choice)."""
    now = now or utcnow()
    with committed():
        event, registration = _locked_registration(event_id, registration_id)
        if registration.status is not RegistrationStatus.waitlisted:
            raise RegistrationError(_("Only people on the waiting list can be promoted."))
        if event.capacity is not None and event.confirmed_count + event.held_count >= event.capacity:
            if event.held_count:
                raise RegistrationError(ngettext(
                    "Every seat is taken or held for an invitee (%(num)d held): raise the capacity first, "
                    "then promote.",
                    "Every seat is taken or held for an invitee (%(num)d held): raise the capacity first, "
                    "then promote.", event.held_count))
            raise RegistrationError(ngettext(
                "The %(num)d seat is taken: raise the capacity first, then promote.",
                "All %(num)d seats are taken: raise the capacity first, then promote.", event.capacity))
        registration.status = RegistrationStatus.confirmed
        registration.promoted_at = now
        event.confirmed_count += 1
        event.waitlisted_count -= 1
        tally.shift(event.id, [(registration.country, RegistrationStatus.waitlisted,
                                RegistrationStatus.confirmed)])
        db.session.flush()
        enqueue_for_registrations(REGISTRATION_PROMOTED, Registration.id == registration.id)
        webhooks.emit_registrations("registration.promoted", event, [registration])


@dataclass(frozen=True)
class BulkCancel:
    """What cancel_many did."""

    cancelled: int
    #: who moved up from the waiting list into the freed seats, first waiting first
    promoted: list[Registration]


def cancel_many(event_id: int, registration_ids: Iterable[int] | None = None, where: Iterable = (),
                notify: bool = True, now: datetime | None = None) -> BulkCancel:
    """Cancel many registrations of one event at once, as services.cancel_registration cancels one.

    Which: the given ids, or every registration matching the `where` conditions (the
    list's filters); ids of other events are ignored. Under one lock and in one
    transaction, so nobody registers into a seat between the cancelling and the
    promoting: the freed seats go to the waiting list in its order. notify=False
    sends no cancellation emails (a burst of invented addresses should not get any);
    the people promoted are always told.
    """
    now = now or utcnow()
    with committed():
        event = lock_event(event_id)
        chosen = [Registration.event_id == event_id, *where]
        if registration_ids is not None:
            chosen.append(Registration.id.in_(list(registration_ids)))
        registrations = list(db.session.scalars(
            sa.select(Registration)
            .where(*chosen, Registration.status != RegistrationStatus.cancelled)
            .order_by(Registration.id)
            .execution_options(populate_existing=True)
        ))
        if notify and registrations:
            enqueue_for_registrations(
                REGISTRATION_CANCELLED, Registration.id.in_([r.id for r in registrations])
            )
        shifts = []
        for registration in registrations:
            was = registration.status
            registration.status = RegistrationStatus.cancelled
            registration.cancelled_at = now
            shifts.append((registration.country, was, RegistrationStatus.cancelled))
            if was is RegistrationStatus.confirmed:
                event.confirmed_count -= 1
            elif was is RegistrationStatus.waitlisted:
                event.waitlisted_count -= 1
        tally.shift(event.id, shifts)
        webhooks.emit_registrations("registration.cancelled", event, registrations)
        db.session.flush()
        promoted = fill_free_seats(event, now)
    return BulkCancel(cancelled=len(registrations), promoted=promoted)


@dataclass(frozen=True)
class CheckIn:
    """The answer of the check-in desk for one scan."""

    registration: Registration
    #: False when the person had already been checked in (checked_in_at says when)
    first_time: bool


class OutsideEventDays(RegistrationError):
    """The event does not run today (in its own zone): the desk asks before letting anyone in.

    A ticket scanned 101 days early is most likely a mistake (the wrong event's desk,
    a test scan); a person arriving the evening before for a badge is not. So it is
    a question, answered by checking in again with outside_days_confirmed.
    """

    def __init__(self, registration: Registration, today: date, first_day: date, last_day: date):
        super().__init__(_("The event does not run today."))
        self.registration, self.today = registration, today
        self.first_day, self.last_day = first_day, last_day


def event_days(event: Event) -> tuple[date, date]:
    """The first and last calendar day of the event where it takes place."""
    zone = ZoneInfo(event.timezone)
    return event.starts_at.astimezone(zone).date(), event.ends_at.astimezone(zone).date()


def check_in(event_id: int, registration: Registration, now: datetime | None = None,
             outside_days_confirmed: bool = False) -> CheckIn:
    """Mark a confirmed registrant as arrived, once; a second scan answers when they came in.

    Raises OutsideEventDays, changing nothing, when the event does not run today and
    the desk has not confirmed; someone already checked in is answered as usual.
    """
    if registration.event_id != event_id:
        raise RegistrationError(_("This ticket is for another event."))
    if registration.status is not RegistrationStatus.confirmed:
        # Translators: %(status)s is the registration's status as the list names it, in lower case.
        raise RegistrationError(_("Not admitted: this registration is %(status)s.",
                                  status=str(registration.status.label).lower()))
    now = now or utcnow()
    if registration.checked_in_at is None and not outside_days_confirmed:
        first_day, last_day = event_days(registration.event)
        today = now.astimezone(ZoneInfo(registration.event.timezone)).date()
        if not first_day <= today <= last_day:
            raise OutsideEventDays(registration, today, first_day, last_day)
    # One conditional UPDATE: two desks scanning the same code at once cannot both win.
    return CheckIn(registration, first_time=_set_arrival(registration, now))


def undo_check_in(event_id: int, registration: Registration) -> bool:
    """Take back a check-in made by mistake; False when the person was not checked in.

    Conditional like the check-in itself, so an undo racing a second desk's scan
    leaves one clear answer: whichever statement runs last decides.
    """
    if registration.event_id != event_id:
        raise RegistrationError(_("This ticket is for another event."))
    return _set_arrival(registration, None)


def _set_arrival(registration: Registration, arrived_at: datetime | None) -> bool:
    """Set or clear checked_in_at only if it is not so already, committed; whether this call changed it."""
    unchanged = Registration.checked_in_at.is_(None) if arrived_at is not None \
        else Registration.checked_in_at.is_not(None)
    changed = db.session.execute(
        sa.update(Registration).where(Registration.id == registration.id, unchanged)
        .values(checked_in_at=arrived_at).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    db.session.refresh(registration)
    return bool(changed)


def update_answers(registration: Registration, raw: dict[str, Any]) -> None:
    """Replace a registration's answers, checked by the same rules as the registration form.

    Raises InvalidAnswers (errors keyed by question field name); nothing is saved then.
    """
    cleaned = clean_answers(registration.event.questions, raw)
    registration.answers = cleaned
    db.session.commit()
