"""Finding speakers and institutions: the directory's search, filters and pages, in a fixed number of queries.

Search is case-insensitive for every alphabet on both databases (eventsys/textsearch.py).
"""

import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventsys.accounts.services import managed_events_filter
from eventsys.database import db
from eventsys.events.models import Event, ProgrammeItem
from eventsys.speakers.models import Engagement, Institution, Speaker, SpeakerExpertise, SpeakerHonour
from eventsys.textsearch import contains_ignoring_case, lowered

#: speakers on one page of the directory
PAGE_SIZE = 50


@dataclass(frozen=True)
class SpeakerFilters:
    """What the organiser asked the directory for; empty values filter nothing."""

    text: str = ""
    country: str = ""
    institution_id: int | None = None
    honour: str = ""
    expertise: str = ""
    partners_only: bool = False


@dataclass
class DirectoryPage:
    """One page of matching speakers, with the number of events each took part in."""

    speakers: list[Speaker]
    event_counts: dict[int, int]
    total: int
    page: int
    pages: int


@dataclass
class FilterOptions:
    """The values the directory's filters offer: only those some speaker has."""

    countries: list[str] = field(default_factory=list)
    institutions: list[tuple[int, str]] = field(default_factory=list)
    honours: list[str] = field(default_factory=list)
    expertise: list[str] = field(default_factory=list)


def _matching(filters: SpeakerFilters) -> list[sa.ColumnElement[bool]]:
    """WHERE conditions on Speaker for the filters."""
    conditions = []
    text = filters.text.strip()
    if text:
        conditions.append(sa.or_(contains_ignoring_case(Speaker.name, text),
                                 contains_ignoring_case(Speaker.email, text)))
    if filters.country:
        conditions.append(Speaker.country == filters.country)
    if filters.institution_id is not None:
        conditions.append(Speaker.institution_id == filters.institution_id)
    if filters.honour:
        conditions.append(Speaker.honour_rows.any(SpeakerHonour.name == filters.honour))
    if filters.expertise:
        conditions.append(Speaker.expertise_rows.any(SpeakerExpertise.field == filters.expertise))
    if filters.partners_only:
        conditions.append(Speaker.institution.has(Institution.partner.is_(True)))
    return conditions


def _event_count() -> sa.ScalarSelect:
    """How many distinct events the speaker took part in, as a column of the speaker query."""
    return (
        sa.select(sa.func.count(sa.distinct(Engagement.event_id)))
        .where(Engagement.speaker_id == Speaker.id)
        .scalar_subquery()
    )


def speakers_matching(filters: SpeakerFilters) -> sa.Select:
    """(Speaker, event_count) rows matching the filters, by name in any case then id, records loaded.

    The directory's pages read it fifty at a time; the organiser API by keyset on
    speaker_order() (api/organiser/speakers.py).
    """
    return (
        sa.select(Speaker, _event_count().label("event_count"))
        .where(*_matching(filters))
        .order_by(*speaker_order())
        .options(selectinload(Speaker.institution), selectinload(Speaker.honour_rows),
                 selectinload(Speaker.expertise_rows))
    )


def speaker_order() -> tuple:
    """The directory's order: the name in lower case for every alphabet, then the id."""
    return (lowered(Speaker.name), Speaker.id)


def search_speakers(filters: SpeakerFilters, page: int = 1) -> DirectoryPage:
    """The page of speakers matching the filters, sorted by name; always five statements or fewer."""
    conditions = _matching(filters)
    total = db.session.scalar(sa.select(sa.func.count(Speaker.id)).where(*conditions))
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        speakers_matching(filters).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return DirectoryPage(
        speakers=[row.Speaker for row in rows],
        event_counts={row.Speaker.id: row.event_count for row in rows},
        total=total, page=page, pages=pages,
    )


def institution_choices() -> list[tuple[int, str]]:
    """(id, name) of every institution, by name, for a select."""
    return [tuple(row) for row in db.session.execute(
        sa.select(Institution.id, Institution.name).order_by(Institution.name)
    )]


def filter_options() -> FilterOptions:
    """Countries, institutions, honours and fields of expertise in use: one query each."""
    return FilterOptions(
        countries=list(db.session.scalars(sa.select(Speaker.country).distinct().order_by(Speaker.country))),
        institutions=institution_choices(),
        honours=list(db.session.scalars(
            sa.select(SpeakerHonour.name).distinct().order_by(SpeakerHonour.name)
        )),
        expertise=list(db.session.scalars(
            sa.select(SpeakerExpertise.field).distinct().order_by(SpeakerExpertise.field)
        )),
    )


def speaker_with_details(speaker_id: int) -> Speaker | None:
    """The speaker with institution, honours and expertise loaded."""
    return db.session.scalars(
        sa.select(Speaker).where(Speaker.id == speaker_id)
        .options(selectinload(Speaker.institution), selectinload(Speaker.honour_rows),
                 selectinload(Speaker.expertise_rows))
    ).first()


def speaker_history(speaker_id: int) -> list[tuple[Engagement, Event, ProgrammeItem | None]]:
    """Every engagement of the speaker with its event and programme item, newest event first."""
    rows = db.session.execute(
        sa.select(Engagement, Event, ProgrammeItem)
        .join(Event, Engagement.event_id == Event.id)
        .outerjoin(ProgrammeItem, Engagement.programme_item_id == ProgrammeItem.id)
        .where(Engagement.speaker_id == speaker_id)
        .order_by(Event.starts_at.desc(), ProgrammeItem.starts_at.desc().nulls_first(), Engagement.id)
    ).all()
    return [tuple(row) for row in rows]


def managed_among(event_ids: set[int], user) -> set[int]:
    """Those of the events the user may manage, so a page links only to what opens for them."""
    if not event_ids:
        return set()
    return set(db.session.scalars(
        sa.select(Event.id).where(Event.id.in_(event_ids), managed_events_filter(user))
    ))


def event_engagements(event_id: int) -> list[Engagement]:
    """The event's engagements with their speakers and programme items, by speaker name."""
    return list(db.session.scalars(
        sa.select(Engagement)
        .join(Speaker, Engagement.speaker_id == Speaker.id)
        .where(Engagement.event_id == event_id)
        .order_by(Speaker.name, Engagement.id)
        .options(selectinload(Engagement.speaker), selectinload(Engagement.programme_item))
    ))


def invitable_speakers() -> list[tuple[int, str, str]]:
    """(id, display name, email) of every speaker who can be sent an invitation, by name."""
    rows = db.session.execute(
        sa.select(Speaker.id, Speaker.title, Speaker.name, Speaker.email)
        .where(Speaker.email.is_not(None), Speaker.email != "")
        .order_by(Speaker.name, Speaker.id)
    )
    return [(row.id, f"{row.title} {row.name}".strip(), row.email) for row in rows]


@dataclass(frozen=True)
class InstitutionFilters:
    """Which institutions the list shows."""

    partners_only: bool = False
    country: str = ""


def institutions_matching(filters: InstitutionFilters) -> sa.Select:
    """(Institution, speakers) rows by name, with how many speakers work at each: the list page's query,
    and the organiser API's (by keyset on name and id)."""
    speaker_count = (
        sa.select(sa.func.count(Speaker.id)).where(Speaker.institution_id == Institution.id).scalar_subquery()
    )
    statement = sa.select(Institution, speaker_count.label("speakers")).order_by(Institution.name)
    if filters.partners_only:
        statement = statement.where(Institution.partner.is_(True))
    if filters.country:
        statement = statement.where(Institution.country == filters.country)
    return statement


def list_institutions(filters: InstitutionFilters) -> list[tuple[Institution, int]]:
    """Institutions by name with how many speakers work at each, in one query."""
    return [(row.Institution, row.speakers) for row in db.session.execute(institutions_matching(filters))]


def institution_countries() -> list[str]:
    """The countries some institution is in, for the list's filter."""
    return list(db.session.scalars(sa.select(Institution.country).distinct().order_by(Institution.country)))
