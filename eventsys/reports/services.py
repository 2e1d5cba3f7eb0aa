"""The international exchange report: what the office hosted in a period, counted one way everywhere.

The page, the charts and the three exports all read one `ExchangeReport`, so a
figure can never differ between them. The definitions (shown on the page and in
the PDF as well) are:

- an event counts when it is published (drafts and cancelled events never count)
  and ended within the period, before now; its kind is counted as it is;
- a speaker counts when engaged at a counted event and their engagement is
  accepted, or was added by the organisers without an invitation (the office
  records that way people who had already agreed to come);
- a foreign expert is a counted speaker whose country is not HOST_COUNTRY;
- in person or online: a speaker of an in-person event spoke in person, of an
  online event online; at a hybrid event an engagement as an online lecture is
  online and every other role in person. A speaker who did both is counted in
  each, once;
- an attendee is a confirmed registration of a counted event (waiting, pending
  and cancelled ones never count); a person at two events counts twice;
- partners engaged: partner institutions of counted speakers; new partners:
  partner institutions whose partnership began within the period (an office-wide
  record, the same for every organiser).

Admins see every event; an organiser the events they manage.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from eventsys.accounts.models import User
from eventsys.accounts.services import managed_events_filter
from eventsys.database import db
from eventsys.events.models import Event, EventKind, EventMode, EventStatus
from eventsys.registration.models import AttendeeCategory, Registration, RegistrationStatus
from eventsys.reports.periods import Period
from eventsys.speakers.models import (
    Engagement,
    Institution,
    InvitationStatus,
    Speaker,
    SpeakerHonour,
    SpeakerRole,
)


@dataclass(frozen=True)
class Partner:
    """A partner institution as the report names it."""

    name: str
    #: ISO 3166-1 alpha-2
    country: str
    partner_since: date | None


@dataclass(frozen=True)
class ExchangeReport:
    """Every figure of the report for one period and one reader."""

    period: Period
    #: ISO alpha-2 of the host country; everyone else is foreign
    host_country: str
    #: every kind, in EventKind's order, zero included
    events_by_kind: dict[EventKind, int]
    #: distinct counted speakers, foreign or not
    speakers: int
    foreign_experts: int
    foreign_in_person: int
    foreign_online: int
    #: (country, distinct speakers), most first
    speakers_by_country: list[tuple[str, int]]
    attendees: int
    #: (country, confirmed registrations), most first
    attendees_by_country: list[tuple[str, int]]
    #: every category, in AttendeeCategory's order, zero included
    attendees_by_category: dict[AttendeeCategory, int]
    partners_engaged: list[Partner]
    new_partners: list[Partner]
    #: (honour, distinct counted speakers holding it), most first
    honours: list[tuple[str, int]]

    @property
    def events(self) -> int:
        """International events hosted, all kinds together."""
        return sum(self.events_by_kind.values())

    @property
    def foreign_expert_countries(self) -> int:
        """Countries the foreign experts came from."""
        return sum(1 for country, _ in self.speakers_by_country if country != self.host_country)

    @property
    def foreign_attendees(self) -> int:
        """Confirmed registrations from outside the host country."""
        return sum(n for country, n in self.attendees_by_country if country != self.host_country)

    @property
    def attendee_countries(self) -> int:
        """Countries the attendees came from, the host's included."""
        return len(self.attendees_by_country)


def _most_first(counts: Counter) -> list[tuple[str, int]]:
    # Ties by name, so the order (and a chart) is the same on every run and database.
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def counted_events(period: Period, user: User, now: datetime) -> sa.Select:
    """SELECT of the ids of the events the report counts for this reader."""
    return sa.select(Event.id).where(
        Event.status == EventStatus.published,
        Event.ends_at >= period.starts_at,
        Event.ends_at < period.ends_before,
        Event.ends_at <= now,
        managed_events_filter(user),
    )


def _spoke_online(mode: EventMode, role: SpeakerRole) -> bool:
    """Whether an engagement was online, by the rule in the module's docstring."""
    if mode is EventMode.hybrid:
        return role is SpeakerRole.online_lecture
    return mode is EventMode.online


def exchange_report(period: Period, user: User, host_country: str, now: datetime) -> ExchangeReport:
    """The report of the period for this reader, in six queries whatever the number of events."""
    events = counted_events(period, user, now).subquery()
    kinds = Counter(dict(db.session.execute(
        sa.select(Event.kind, sa.func.count()).where(Event.id.in_(sa.select(events.c.id)))
        .group_by(Event.kind)
    ).all()))

    engagements = db.session.execute(
        sa.select(Speaker.id, Speaker.country, Speaker.institution_id, Event.mode, Engagement.role)
        .join(Engagement, Engagement.speaker_id == Speaker.id)
        .join(Event, Event.id == Engagement.event_id)
        .where(Engagement.event_id.in_(sa.select(events.c.id)),
               sa.or_(Engagement.invitation_status == InvitationStatus.accepted,
                      Engagement.invitation_status.is_(None)))
    ).all()
    country_of = {speaker_id: country for speaker_id, country, *_ in engagements}
    foreign = {speaker_id for speaker_id, country in country_of.items() if country != host_country}
    online = {speaker_id for speaker_id, _, _, mode, role in engagements if _spoke_online(mode, role)}
    in_person = {speaker_id for speaker_id, _, _, mode, role in engagements if not _spoke_online(mode, role)}
    institution_ids = {institution_id for _, _, institution_id, *_ in engagements if institution_id}

    partners = db.session.scalars(
        sa.select(Institution).where(Institution.id.in_(institution_ids), Institution.partner)
        .order_by(Institution.name)
    ).all() if institution_ids else []
    new_partners = db.session.scalars(
        sa.select(Institution).where(Institution.partner, Institution.partner_since >= period.first,
                                     Institution.partner_since <= period.last)
        .order_by(Institution.partner_since, Institution.name)
    ).all()
    honours = Counter(dict(db.session.execute(
        sa.select(SpeakerHonour.name, sa.func.count()).where(SpeakerHonour.speaker_id.in_(country_of))
        .group_by(SpeakerHonour.name)
    ).all())) if country_of else Counter()

    attendance = db.session.execute(
        sa.select(Registration.country, Registration.category, sa.func.count())
        .where(Registration.event_id.in_(sa.select(events.c.id)),
               Registration.status == RegistrationStatus.confirmed)
        .group_by(Registration.country, Registration.category)
    ).all()
    by_country: Counter[str] = Counter()
    by_category: Counter[AttendeeCategory] = Counter()
    for country, category, number in attendance:
        by_country[country] += number
        by_category[category] += number

    return ExchangeReport(
        period=period, host_country=host_country,
        events_by_kind={kind: kinds[kind] for kind in EventKind},
        speakers=len(country_of), foreign_experts=len(foreign),
        foreign_in_person=len(foreign & in_person), foreign_online=len(foreign & online),
        speakers_by_country=_most_first(Counter(country_of.values())),
        attendees=sum(by_country.values()),
        attendees_by_country=_most_first(by_country),
        attendees_by_category={category: by_category[category] for category in AttendeeCategory},
        partners_engaged=[_partner(i) for i in partners],
        new_partners=[_partner(i) for i in new_partners],
        honours=_most_first(honours),
    )


def _partner(institution: Institution) -> Partner:
    return Partner(institution.name, institution.country, institution.partner_since)
