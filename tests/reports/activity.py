"""Three years of the office's activity for the report's tests, and the figures a person counts in it.

Everything is built through the models. Besides what counts, it holds what must not:
a cancelled event, a draft, declined and unanswered invitations, waitlisted, pending
and cancelled registrations, an event that ends after now, a partner of long ago.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from eventsys.database import db, utcnow
from eventsys.events.models import EventKind, EventMode, EventStatus
from eventsys.registration.models import AttendeeCategory, Registration, RegistrationStatus
from eventsys.speakers.models import Engagement, Institution, InvitationStatus, Speaker, SpeakerRole
from tests.factories import make_event

ACCEPTED, DECLINED, INVITED = InvitationStatus.accepted, InvitationStatus.declined, InvitationStatus.invited
CONFIRMED, WAITLISTED = RegistrationStatus.confirmed, RegistrationStatus.waitlisted
PENDING, CANCELLED = RegistrationStatus.pending, RegistrationStatus.cancelled
STUDENT, FACULTY = AttendeeCategory.student, AttendeeCategory.faculty
INDUSTRY, OTHER = AttendeeCategory.industry, AttendeeCategory.other


@dataclass
class Activity:
    """The three years: their first year, and the events by name."""

    first_year: int
    events: dict


def _event(name: str, year: int, month: int, kind: EventKind, mode: EventMode,
           status: EventStatus = EventStatus.published, ends_at: datetime | None = None):
    # Noon in Harbin on the 10th, two days long.
    ends_at = ends_at or datetime(year, month, 10, 4, 0, tzinfo=UTC)
    return make_event(slug=f"report-{name}", title=f"Report event {name}", kind=kind, mode=mode,
                      status=status, starts_at=ends_at - timedelta(days=2), ends_at=ends_at, capacity=None)


def _register(event, people: list[tuple[str, AttendeeCategory, RegistrationStatus, int]]) -> None:
    for country, category, status, how_many in people:
        for _ in range(how_many):
            number = secrets.token_hex(4)
            db.session.add(Registration(
                event_id=event.id, name=f"Person {number}", email=f"p{number}@example.org", country=country,
                category=category, status=status, token=secrets.token_urlsafe(24), consented_at=utcnow(),
                checked_in_at=event.ends_at if status is CONFIRMED else None,
            ))


def _engage(speaker: Speaker, event, role: SpeakerRole, status: InvitationStatus | None) -> None:
    db.session.add(Engagement(speaker_id=speaker.id, event_id=event.id, role=role, invitation_status=status))


def build_activity() -> Activity:
    """The three calendar years before this one, as described in the module's docstring."""
    y1 = utcnow().year - 3
    y2, y3 = y1 + 1, y1 + 2
    msu = Institution(name="Lomonosov Moscow State University", country="RU", partner=True,
                      partner_since=date(2006, 10, 12))
    tum = Institution(name="Technical University of Munich", country="DE", partner=True,
                      partner_since=date(y2, 5, 1))
    cambridge = Institution(name="University of Cambridge", country="GB", partner=False)
    hit = Institution(name="Harbin Institute of Technology", country="CN", partner=True,
                      partner_since=date(2000, 1, 1))
    tohoku = Institution(name="Tohoku University", country="JP", partner=True, partner_since=date(y3, 2, 1))
    db.session.add_all([msu, tum, cambridge, hit, tohoku])
    ru = Speaker(name="Arkady V.", country="RU", institution=msu,
                 honours=["Member of the Russian Academy of Sciences", "IEEE Fellow"])
    de = Speaker(name="Jonas W.", country="DE", institution=tum, honours=["IEEE Fellow"])
    gb = Speaker(name="Alistair P.", country="GB", institution=cambridge, honours=["Nobel Laureate"])
    cn = Speaker(name="Gao H.", country="CN", institution=hit, honours=["IEEE Fellow"])
    us = Speaker(name="Emily C.", country="US", honours=["Member of the National Academy of Engineering"])
    jp = Speaker(name="Sato Y.", country="JP", institution=tohoku, honours=["Highly Cited Researcher"])
    db.session.add_all([ru, de, gb, cn, us, jp])
    db.session.commit()

    e1 = _event("y1-conference", y1, 3, EventKind.conference, EventMode.in_person)
    _engage(ru, e1, SpeakerRole.keynote, ACCEPTED)
    _engage(cn, e1, SpeakerRole.invited_talk, None)  # added by the organisers: counts
    _register(e1, [("RU", FACULTY, CONFIRMED, 3), ("CN", STUDENT, CONFIRMED, 2),
                   ("RU", FACULTY, WAITLISTED, 1), ("DE", STUDENT, CANCELLED, 1)])
    e2 = _event("y1-lecture", y1, 6, EventKind.lecture, EventMode.online)
    _engage(gb, e2, SpeakerRole.online_lecture, ACCEPTED)
    _register(e2, [("GB", INDUSTRY, CONFIRMED, 1), ("US", FACULTY, PENDING, 1)])
    e3 = _event("y1-cancelled", y1, 9, EventKind.conference, EventMode.in_person, EventStatus.cancelled)
    _engage(jp, e3, SpeakerRole.keynote, ACCEPTED)
    _register(e3, [("JP", FACULTY, CONFIRMED, 2)])

    e4 = _event("y2-symposium", y2, 4, EventKind.symposium, EventMode.hybrid)
    _engage(de, e4, SpeakerRole.invited_talk, ACCEPTED)  # hybrid, not an online lecture: in person
    _engage(ru, e4, SpeakerRole.online_lecture, ACCEPTED)  # hybrid, online lecture: online
    _engage(us, e4, SpeakerRole.keynote, DECLINED)
    _register(e4, [("DE", FACULTY, CONFIRMED, 2), ("CN", STUDENT, CONFIRMED, 1), ("FR", OTHER, CONFIRMED, 1)])
    e5 = _event("y2-draft", y2, 7, EventKind.forum, EventMode.in_person, EventStatus.draft)
    _engage(jp, e5, SpeakerRole.panel, None)
    _register(e5, [("JP", STUDENT, CONFIRMED, 1)])

    e6 = _event("y3-competition", y3, 10, EventKind.competition, EventMode.hybrid)
    _engage(gb, e6, SpeakerRole.panel, ACCEPTED)
    _engage(us, e6, SpeakerRole.keynote, INVITED)
    _register(e6, [("RU", STUDENT, CONFIRMED, 2), ("UA", STUDENT, CONFIRMED, 1),
                   ("RU", STUDENT, WAITLISTED, 1)])

    # Not over yet: outside any report until it ends.
    e7 = _event("upcoming-forum", y3 + 1, 1, EventKind.forum, EventMode.in_person,
                ends_at=utcnow() + timedelta(days=20))
    _engage(jp, e7, SpeakerRole.keynote, ACCEPTED)
    _register(e7, [("JP", STUDENT, CONFIRMED, 4)])
    db.session.commit()
    return Activity(y1, {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5, "e6": e6, "e7": e7})


#: the figures of the three years, counted by hand from build_activity (see the comments there)
THREE_YEARS = {
    "events": {"Conference": 1, "Symposium": 1, "Forum": 0, "Competition": 1, "Lecture": 1, "All kinds": 4},
    # RU (e1, e4), DE (e4), GB (e2, e6) are foreign; CN (e1) is the host's
    "experts": {"Foreign experts": 3, "In person": 3, "Online": 2, "Countries of the foreign experts": 3,
                "All speakers, the host country's included": 4},
    "speakers_by_country": {"Russian Federation": 1, "Germany": 1, "United Kingdom": 1, "China": 1},
    "attendees": {"Attendees": 13, "From abroad": 10, "Countries": 6},
    "attendees_by_country": {"Russian Federation": 5, "China": 3, "Germany": 2, "United Kingdom": 1,
                             "France": 1, "Ukraine": 1},
    "attendees_by_category": {"Student": 6, "Faculty / researcher": 5, "Industry": 1, "Other": 1},
    "partners_engaged": {"Lomonosov Moscow State University", "Technical University of Munich",
                         "Harbin Institute of Technology"},
    "new_partners": {"Technical University of Munich", "Tohoku University"},
    "honours": {"IEEE Fellow": 3, "Nobel Laureate": 1, "Member of the Russian Academy of Sciences": 1},
}

#: the second year alone: the hybrid symposium
SECOND_YEAR = {
    "events": {"Conference": 0, "Symposium": 1, "Forum": 0, "Competition": 0, "Lecture": 0, "All kinds": 1},
    "experts": {"Foreign experts": 2, "In person": 1, "Online": 1, "Countries of the foreign experts": 2,
                "All speakers, the host country's included": 2},
    "speakers_by_country": {"Russian Federation": 1, "Germany": 1},
    "attendees": {"Attendees": 4, "From abroad": 3, "Countries": 3},
    "attendees_by_country": {"Germany": 2, "China": 1, "France": 1},
    "attendees_by_category": {"Student": 1, "Faculty / researcher": 2, "Industry": 0, "Other": 1},
    "partners_engaged": {"Lomonosov Moscow State University", "Technical University of Munich"},
    "new_partners": {"Technical University of Munich"},
    "honours": {"IEEE Fellow": 2, "Member of the Russian Academy of Sciences": 1},
}

#: what the manager of e1 and e4 only sees over the three years (new partners are office-wide)
E1_AND_E4 = {
    "events": {"Conference": 1, "Symposium": 1, "Forum": 0, "Competition": 0, "Lecture": 0, "All kinds": 2},
    "experts": {"Foreign experts": 2, "In person": 2, "Online": 1, "Countries of the foreign experts": 2,
                "All speakers, the host country's included": 3},
    "speakers_by_country": {"Russian Federation": 1, "Germany": 1, "China": 1},
    "attendees": {"Attendees": 9, "From abroad": 6, "Countries": 4},
    "attendees_by_country": {"Russian Federation": 3, "China": 3, "Germany": 2, "France": 1},
    "attendees_by_category": {"Student": 3, "Faculty / researcher": 5, "Industry": 0, "Other": 1},
    "partners_engaged": {"Lomonosov Moscow State University", "Technical University of Munich",
                         "Harbin Institute of Technology"},
    "new_partners": {"Technical University of Munich", "Tohoku University"},
    "honours": {"IEEE Fellow": 3, "Member of the Russian Academy of Sciences": 1},
}
