"""Reading events for the public: what is upcoming, one event with its programme and speakers."""

from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from eventsys.database import db, utcnow
from eventsys.events.models import Event, EventKind, EventStatus, ProgrammeItem
from eventsys.speakers.models import Engagement, InvitationStatus, Speaker, SpeakerRole

#: statuses a visitor may see; drafts stay with the organisers
PUBLIC_STATUSES = (EventStatus.published, EventStatus.cancelled)


def upcoming_events(kind: EventKind | None = None, now: datetime | None = None) -> list[Event]:
    """Published events that have not ended yet, soonest first."""
    query = (
        sa.select(Event)
        .where(Event.status == EventStatus.published, Event.ends_at >= (now or utcnow()))
        .order_by(Event.starts_at, Event.id)
    )
    if kind is not None:
        query = query.where(Event.kind == kind)
    return list(db.session.scalars(query))


def confirmed_engagement():
    """Engagements the public may see: added by the organisers, or invitations the speaker accepted."""
    return sa.or_(Engagement.invitation_status.is_(None),
                  Engagement.invitation_status == InvitationStatus.accepted)


def _speaker_loading():
    return selectinload(Engagement.speaker).options(
        selectinload(Speaker.institution), selectinload(Speaker.honour_rows)
    )


def public_event(slug: str) -> Event | None:
    """The event at /events/<slug> with its programme and speakers loaded, or None for drafts."""
    return db.session.scalars(
        sa.select(Event)
        .where(Event.slug == slug, Event.status.in_(PUBLIC_STATUSES))
        .options(
            selectinload(Event.programme)
            .selectinload(ProgrammeItem.engagements.and_(confirmed_engagement()))
            .options(_speaker_loading())
        )
    ).first()


def event_engagements(event: Event) -> list[Engagement]:
    """The event's public speaker engagements, keynotes first, then by name."""
    role_order = sa.case(
        {"keynote": 0, "invited_talk": 1, "online_lecture": 2}, value=Engagement.role, else_=3
    )
    return list(
        db.session.scalars(
            sa.select(Engagement)
            .join(Engagement.speaker)
            .where(Engagement.event_id == event.id, confirmed_engagement())
            .options(_speaker_loading())
            .order_by(role_order, Speaker.name)
        )
    )


def event_speakers(event: Event) -> list[tuple[Speaker, list[SpeakerRole]]]:
    """Each speaker once, with the roles they have at the event."""
    speakers: dict[int, tuple[Speaker, list[SpeakerRole]]] = {}
    for engagement in event_engagements(event):
        speaker, roles = speakers.setdefault(engagement.speaker_id, (engagement.speaker, []))
        if engagement.role not in roles:
            roles.append(engagement.role)
    return list(speakers.values())


@cache
def event_by_slug_query():
    """The event with sa.bindparam("slug") and its questions, loaded together."""
    # Built once: on the registration path, building the query cost more CPU than running it.
    return sa.select(Event).where(Event.slug == sa.bindparam("slug")).options(joinedload(Event.questions))


def event_by_slug(slug: str) -> Event | None:
    """The event with this slug whatever its status, with its questions: what registering needs."""
    return db.session.scalars(event_by_slug_query(), {"slug": slug}).unique().first()
