"""Whether a newcomer would get a seat, for the pages that invite people to register.

The rule is the registration's own (registration.services.has_free_seat: a seat is
free when capacity allows and nobody waits), read from the counters on the event row:
no query, so the home page can ask it of every card. A full event with its
registration open takes newcomers on its waiting list.
"""

from datetime import datetime
from typing import NamedTuple

from eventsys.database import utcnow
from eventsys.events.models import Event
from eventsys.registration.services import RegistrationClosed, ensure_registration_open, has_free_seat


class Availability(NamedTuple):
    #: no seat for a newcomer (an unlimited event is never full)
    full: bool
    #: full, and registering now puts one on the waiting list
    waiting_list_open: bool


def availability(event: Event, now: datetime | None = None) -> Availability:
    """Whether the event is full, and whether its waiting list takes people now."""
    full = event.capacity is not None and not has_free_seat(event)
    if not full:
        return Availability(False, False)
    try:
        ensure_registration_open(event, now or utcnow())
    except RegistrationClosed:
        return Availability(True, False)
    return Availability(True, True)
