"""Reading speakers for the public: who has a page, and the talks it lists.

A speaker's page is public once they are on the programme of an event the public
can see: added by the organisers, or having accepted an invitation, at a published
(or since cancelled, whose page stays up) event. A speaker only invited, or only at
drafts, has no page: their name must not leak before the organisers announce it.
"""

from typing import NamedTuple

import sqlalchemy as sa
from slugify import slugify
from sqlalchemy.orm import selectinload

from eventsys.database import db
from eventsys.events.models import Event, ProgrammeItem
from eventsys.events.services import PUBLIC_STATUSES, confirmed_engagement
from eventsys.speakers.models import Engagement, Speaker

#: ids at or past this cannot exist (INTEGER columns); PostgreSQL refuses to compare them
_ID_LIMIT = 2**31


class Talk(NamedTuple):
    """One public engagement: the event, and the programme item when it is one talk of it."""

    engagement: Engagement
    event: Event
    item: ProgrammeItem | None


def speaker_slug(speaker: Speaker) -> str:
    """The readable part of the speaker's address, from their name in any script: "pavel-orlov"."""
    return slugify(speaker.name, max_length=80, word_boundary=True)


def _public_engagements():
    return sa.select(Engagement.id).join(Event, Event.id == Engagement.event_id).where(
        Engagement.speaker_id == Speaker.id, Event.status.in_(PUBLIC_STATUSES), confirmed_engagement())


def public_speaker(speaker_id: int) -> Speaker | None:
    """The speaker with their institution, honours and expertise, or None when they have no public page."""
    if not 0 < speaker_id < _ID_LIMIT:
        return None
    return db.session.scalars(
        sa.select(Speaker)
        .where(Speaker.id == speaker_id, _public_engagements().exists())
        .options(selectinload(Speaker.institution), selectinload(Speaker.honour_rows),
                 selectinload(Speaker.expertise_rows))
    ).first()


def has_public_page(speaker_id: int) -> bool:
    """Whether /speakers/<id> answers for this speaker."""
    if not 0 < speaker_id < _ID_LIMIT:
        return False
    return bool(db.session.scalar(sa.select(sa.exists().where(Speaker.id == speaker_id,
                                                              _public_engagements().exists()))))


def public_talks(speaker_id: int) -> list[Talk]:
    """The speaker's engagements at events the public sees, soonest first."""
    rows = db.session.execute(
        sa.select(Engagement, Event, ProgrammeItem)
        .join(Event, Event.id == Engagement.event_id)
        .outerjoin(ProgrammeItem, ProgrammeItem.id == Engagement.programme_item_id)
        .where(Engagement.speaker_id == speaker_id, Event.status.in_(PUBLIC_STATUSES), confirmed_engagement())
        .order_by(sa.func.coalesce(ProgrammeItem.starts_at, Event.starts_at), Engagement.id)
    )
    return [Talk(*row) for row in rows]
