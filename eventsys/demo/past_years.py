"""The demo's three past years: finished events with their speakers and attendees, for the exchange report.

Dates count back from the day the seed first runs (`in_days` below zero), so a newcomer
opening /manage/reports/exchange sees the last three years full. The event series and the
partners are real, the people invented, as in `programme` and `people`. Attendees of a past
event are written as rows (registration is closed once an event is over), confirmed and,
where there was a door, checked in; an event that has attendees already gets none added.
"""

import secrets
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from eventsys.database import db
from eventsys.demo.attendees import GROUPS, demo_email
from eventsys.demo.programme import CENTRE, HARBIN, ONLINE_LECTURE_NOTE
from eventsys.events.models import Event, EventKind, EventMode
from eventsys.registration import tally
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.speakers.models import InvitationStatus, SpeakerRole

ACCEPTED, DECLINED = InvitationStatus.accepted, InvitationStatus.declined
KEYNOTE, TALK, PANEL = SpeakerRole.keynote, SpeakerRole.invited_talk, SpeakerRole.panel
ONLINE = SpeakerRole.online_lecture

#: partners that signed their agreement within the demo's three years:
#: (name, country, city, website, days ago)
NEW_PARTNERS = (
    ("Skolkovo Institute of Science and Technology", "RU", "Moscow", "https://www.skoltech.ru", 700),
    ("Politecnico di Torino", "IT", "Turin", "https://www.polito.it", 260),
)


def _event(slug: str, kind: EventKind, mode: EventMode, title: str, in_days: int, days: int = 1,
           starts: str = "09:00", ends: str = "17:00") -> dict[str, Any]:
    """A finished event in the shape of programme.EVENTS."""
    online = mode is EventMode.online
    return {"slug": slug, "kind": kind, "mode": mode, "title": title, "in_days": in_days, "days": days,
            "starts": starts, "ends": ends, "timezone": HARBIN, "capacity": None,
            "venue": "Online" if online else CENTRE,
            "summary": f"{title}, hosted by the School of Astronautics.",
            "description": ONLINE_LECTURE_NOTE if online else
            f"{title} brought together scholars from the school's partner universities.\n\n"
            "The programme combined keynotes, invited talks and panels with visits to the school's "
            "laboratories."}


def _lecture(slug: str, title: str, in_days: int) -> dict[str, Any]:
    """An online lecture: ninety minutes in the afternoon, Beijing time."""
    return _event(slug, EventKind.lecture, EventMode.online, title, in_days, starts="15:00", ends="16:30")


EVENTS = (
    _event("smart-materials-conference-2nd-edition", EventKind.conference, EventMode.in_person,
           "International Conference on Smart Materials and Nanotechnology in Engineering (earlier edition)",
           -1000, days=3),
    _event("intelligent-microsystems-symposium-earlier", EventKind.symposium, EventMode.hybrid,
           "International Symposium on Intelligent Microsystems (earlier edition)", -940, days=2),
    _lecture("lecture-past-cubesat-deorbiting", "Deorbiting CubeSats with Drag Sails", -880),
    _event("spacecraft-design-competition-earlier", EventKind.competition, EventMode.hybrid,
           "International University Student Spacecraft Innovative Design Competition (earlier edition)",
           -800, days=2),
    _event("medical-industry-forum-earlier", EventKind.forum, EventMode.in_person,
           "Harbin International Medical Industry Cross Summit Forum (earlier edition)", -700, days=2),
    _lecture("lecture-past-formation-flying", "Formation Flying of Small Satellites", -600),
    _event("networked-dynamic-systems-conference", EventKind.conference, EventMode.in_person,
           "International Conference on Networked Dynamic Systems", -520, days=2),
    _event("micro-nano-satellites-forum-earlier", EventKind.forum, EventMode.in_person,
           "Technology Forum on Student Micro/nano-satellites (earlier edition)", -430),
    _lecture("lecture-past-space-medicine", "Life Support for Long Space Missions", -330),
    _event("intelligent-microsystems-symposium-last", EventKind.symposium, EventMode.hybrid,
           "International Symposium on Intelligent Microsystems (last edition)", -250, days=2),
    _event("spacecraft-design-competition-last", EventKind.competition, EventMode.hybrid,
           "International University Student Spacecraft Innovative Design Competition (last edition)",
           -150, days=2),
    _lecture("lecture-past-shape-memory-hinges", "Shape-Memory Hinges for Deployable Antennas", -60),
)

#: (speaker email, event slug, role, invitation status or None when the organisers added them directly)
ENGAGEMENTS = (
    ("chiara.valmontesi@example.org", "smart-materials-conference-2nd-edition", KEYNOTE, ACCEPTED),
    ("svetlana.orekhova@example.org", "smart-materials-conference-2nd-edition", KEYNOTE, ACCEPTED),
    ("lukas.brandhuber@example.org", "smart-materials-conference-2nd-edition", TALK, None),
    ("arkady.volobuev@example.org", "intelligent-microsystems-symposium-earlier", KEYNOTE, ACCEPTED),
    ("haruto.kirisame@example.org", "intelligent-microsystems-symposium-earlier", ONLINE, ACCEPTED),
    ("m.delacroix-hale@example.com", "intelligent-microsystems-symposium-earlier", ONLINE, ACCEPTED),
    ("ingrid.halvorsen-lund@example.org", "intelligent-microsystems-symposium-earlier", TALK, DECLINED),
    ("femke.oosterwold@example.org", "lecture-past-cubesat-deorbiting", ONLINE, ACCEPTED),
    ("emile.rocheforte@example.org", "spacecraft-design-competition-earlier", PANEL, ACCEPTED),
    ("k.berezhnoy@example.org", "spacecraft-design-competition-earlier", PANEL, None),
    ("alistair.penhallow@example.org", "medical-industry-forum-earlier", KEYNOTE, ACCEPTED),
    ("naomi.ashgrove@example.com", "medical-industry-forum-earlier", KEYNOTE, ACCEPTED),
    ("k.berezhnoy@example.org", "lecture-past-formation-flying", ONLINE, ACCEPTED),
    ("taras.levkovych@example.org", "networked-dynamic-systems-conference", KEYNOTE, ACCEPTED),
    ("oksana.zavhorodnia@example.org", "networked-dynamic-systems-conference", TALK, ACCEPTED),
    ("gleb.sorokovikov@example.org", "networked-dynamic-systems-conference", TALK, None),
    ("arkady.volobuev@example.org", "micro-nano-satellites-forum-earlier", KEYNOTE, ACCEPTED),
    ("femke.oosterwold@example.org", "micro-nano-satellites-forum-earlier", PANEL, ACCEPTED),
    ("ingrid.halvorsen-lund@example.org", "lecture-past-space-medicine", ONLINE, ACCEPTED),
    ("lukas.brandhuber@example.org", "intelligent-microsystems-symposium-last", KEYNOTE, ACCEPTED),
    ("chiara.valmontesi@example.org", "intelligent-microsystems-symposium-last", ONLINE, ACCEPTED),
    ("haruto.kirisame@example.org", "intelligent-microsystems-symposium-last", TALK, ACCEPTED),
    ("emile.rocheforte@example.org", "spacecraft-design-competition-last", PANEL, ACCEPTED),
    ("femke.oosterwold@example.org", "spacecraft-design-competition-last", ONLINE, ACCEPTED),
    ("svetlana.orekhova@example.org", "lecture-past-shape-memory-hinges", ONLINE, ACCEPTED),
)

#: attendees per kind of event (people from attendees.GROUPS, a different slice for each event)
ATTENDEES_BY_KIND = {EventKind.conference: 38, EventKind.symposium: 32, EventKind.forum: 28,
                     EventKind.competition: 24, EventKind.lecture: 18}

#: every demo person once: (number for their address as attendees numbers it, country, affiliation,
#: category, name)
_PEOPLE = [(number, *person) for number, person in enumerate(
    ((country, affiliation, category, name) for country, affiliation, category, names in GROUPS
     for name in names), start=1)]


def new_partner_specs(today: date) -> list[dict[str, Any]]:
    """The new partners in the shape of people.INSTITUTIONS, dated back from today."""
    return [{"name": name, "country": country, "city": city, "website": website,
             "partner_since": today - timedelta(days=days_ago)}
            for name, country, city, website, days_ago in NEW_PARTNERS]


def add_past_attendees(events: list[Event]) -> int:
    """Confirmed (and, with a door, checked-in) attendees for each past event that has none; how many."""
    ids = [event.id for event in events]
    attended = set(db.session.scalars(
        sa.select(Registration.event_id).distinct().where(Registration.event_id.in_(ids))
    ))
    added = 0
    for offset, event in enumerate(events):
        if event.id in attended:
            continue
        added += _attend(event, offset)
    return added


def _attend(event: Event, offset: int) -> int:
    """Write the event's attendees in one statement and keep its counts in step."""
    how_many = min(ATTENDEES_BY_KIND[event.kind], len(_PEOPLE))
    # A different slice of the same people for each event: regulars come back, as they do.
    people = [_PEOPLE[(offset * 7 + k) % len(_PEOPLE)] for k in range(how_many)]
    registered_at: datetime = event.starts_at - timedelta(days=20)
    checked_in = event.starts_at if event.has_venue else None
    rows = [{"event_id": event.id, "name": name, "email": demo_email(name, number),
             "affiliation": affiliation, "country": country, "category": category,
             "status": RegistrationStatus.confirmed, "token": secrets.token_urlsafe(24), "locale": "en",
             "created_at": registered_at, "consented_at": registered_at, "checked_in_at": checked_in}
            for number, country, affiliation, category, name in people]
    db.session.execute(sa.insert(Registration), rows)
    event.confirmed_count = len(rows)
    tally.shift(event.id, [(row["country"], None, RegistrationStatus.confirmed) for row in rows])
    return len(rows)
