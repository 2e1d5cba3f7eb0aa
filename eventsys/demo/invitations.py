"""Invitations waiting for the demo organiser: a partner delegation invited to the satellites forum.

Sent through the real rule (services.invite), holding a seat for each delegate, so the
organiser's list shows pending invitations, held seats and the emails they caused. Made
once: a second `make run` finds the batch and adds nothing.
"""

import sqlalchemy as sa

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.invitations import services
from eventsys.invitations.invitees import Invitee
from eventsys.invitations.models import Invitation

EVENT_SLUG = "student-micro-nano-satellites-forum"
#: a delegation from a partner university, in the languages its members read
DELEGATION = (
    Invitee("Ерлан Жумабеков", "zhumabekov@enu.example.kz", "L.N. Gumilyov Eurasian National University",
            "faculty", "ru", "KZ"),
    Invitee("Айгерим Садыкова", "sadykova@enu.example.kz", "L.N. Gumilyov Eurasian National University",
            "student", "ru", "KZ"),
    Invitee("Nguyen Van An", "nguyen.an@vnu.example.vn", "Vietnam National University, Hanoi", "faculty",
            "en", "VN"),
)


def invite_demo_delegation() -> int:
    """Invite the delegation to the forum with held seats; returns how many invitations were made now."""
    event = db.session.scalars(sa.select(Event).where(Event.slug == EVENT_SLUG)).first()
    if event is None or db.session.scalar(sa.select(Invitation.id).where(Invitation.event_id == event.id)):
        return 0
    try:
        services.invite(event.id, list(DELEGATION), services.BatchOptions(holds_seats=True))
    except (services.InviteesRefused, services.ChangeRefused):
        return 0  # the forum is full or over on this installation: the demo goes without
    return len(DELEGATION)
