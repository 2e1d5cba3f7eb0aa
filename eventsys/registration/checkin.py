"""What the check-in desk asks: who is this code, who matches this name, how many are in.

Marking someone as arrived is `handling.check_in`; this module finds the
registration to hand to it, and answers the desk's searches and counts.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.registration import checkin_codes, handling, services
from eventsys.registration.errors import RegistrationError
from eventsys.registration.models import Registration
from eventsys.textsearch import contains_ignoring_case

#: the desk lists at most this many matches; more means the search should be narrower
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class DeskCounts:
    """Arrivals so far against the seats taken."""

    checked_in: int
    confirmed: int


@dataclass(frozen=True)
class SearchResult:
    """The first matches of a search, by name; `more` when others were left out."""

    matches: list[Registration]
    more: bool


def counts(event: Event) -> DeskCounts:
    """How many have arrived, and how many are confirmed (the counter kept on the event)."""
    checked_in = db.session.scalar(counts_query(event.id))
    return DeskCounts(checked_in=checked_in or 0, confirmed=event.confirmed_count)


def counts_query(event_id: int) -> sa.Select:
    """How many of the event's registrants have arrived."""
    # Served by the partial index of checked-in rows: polled every 10 s, it must not read the others.
    return sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.checked_in_at.is_not(None)
    )


def scan(event_id: int, text: str, outside_days_confirmed: bool = False) -> handling.CheckIn | None:
    """Check in whoever holds the scanned or typed code; None when the text is no registration's code.

    The check-in code is looked up in this event only (codes are unique per event, not
    across them). A self-service token is still taken: emails sent before check-in codes
    existed show it, and only organisers reach the desk. Raises RegistrationError when a
    token is another event's, or the holder is not admitted; OutsideEventDays (a kind
    of it) when the event does not run today and the desk has not confirmed.
    """
    code = checkin_codes.normalised(text)
    registration = by_checkin_code(event_id, code) if code else None
    if registration is None:
        registration = services.find_by_token(text.strip())
    if registration is None:
        return None
    return handling.check_in(event_id, registration, outside_days_confirmed=outside_days_confirmed)


def by_checkin_code(event_id: int, code: str) -> Registration | None:
    """The event's registration with this check-in code (as stored: upper case, no hyphen)."""
    return db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event_id, Registration.checkin_code == code)
    ).first()


def check_in_by_id(event_id: int, registration_id: int,
                   outside_days_confirmed: bool = False) -> handling.CheckIn:
    """Check in a registration picked from the desk's search results (or confirmed after a question)."""
    return handling.check_in(event_id, _of_event(event_id, registration_id),
                             outside_days_confirmed=outside_days_confirmed)


def undo_by_id(event_id: int, registration_id: int) -> Registration:
    """Take back a registration's check-in; RegistrationError when it was not checked in."""
    registration = _of_event(event_id, registration_id)
    if not handling.undo_check_in(event_id, registration):
        raise RegistrationError(_("%(name)s was not checked in.", name=registration.name))
    return registration


def _of_event(event_id: int, registration_id: int) -> Registration:
    registration = registration_of_event(event_id, registration_id)
    if registration is None:
        raise RegistrationError(_("This registration does not belong to this event."))
    return registration


def registration_of_event(event_id: int, registration_id: int) -> Registration | None:
    """The registration, if it is this event's."""
    return db.session.scalars(
        sa.select(Registration).where(Registration.id == registration_id, Registration.event_id == event_id)
    ).first()


def search(event_id: int, text: str) -> SearchResult:
    """Registrations of the event whose name or email contains text, in any case, by name."""
    text = " ".join(text.split())
    if not text:
        return SearchResult(matches=[], more=False)
    rows = list(db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.event_id == event_id,
            # autoescape: a % or _ typed at the desk is a character to find, not a wildcard
            sa.or_(contains_ignoring_case(Registration.name, text),
                   contains_ignoring_case(Registration.email, text)),
        )
        .order_by(Registration.name, Registration.id)
        .limit(SEARCH_LIMIT + 1)
    ))
    return SearchResult(matches=rows[:SEARCH_LIMIT], more=len(rows) > SEARCH_LIMIT)
