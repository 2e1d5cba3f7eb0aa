"""The emails of speaker invitations: their kinds, and the invitation their templates get.

The invitation goes to the speaker, with the links that answer it; the answer goes
to whoever invited them. A kind's value is stored in its outbox rows and names its
templates (templates/mail/<kind>.*): never change one.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from eventsys.events.models import EventStatus
from eventsys.links import external_url
from eventsys.mail.kinds import EmailKind
from eventsys.mail.models import OutboundEmail
from eventsys.speakers.models import Engagement

SPEAKER_INVITATION = "speaker_invitation"
INVITATION_ANSWERED = "invitation_answered"


def _engagement_context(session: Session, email: OutboundEmail) -> dict:
    """The invitation, its speaker, event and item."""
    # Imported here, not above: invitations imports this module for its kinds, and would find it half made.
    from eventsys.speakers import invitations

    engagement = session.scalars(
        sa.select(Engagement)
        .where(Engagement.id == email.context["engagement_id"])
        .options(joinedload(Engagement.speaker), joinedload(Engagement.event),
                 joinedload(Engagement.programme_item))
    ).one()
    event = engagement.event
    return {
        "engagement": engagement,
        "speaker": engagement.speaker,
        "event": event,
        "item": engagement.programme_item,
        "role_words": invitations.role_in_words(engagement.role),
        # Drafts have no public page yet: a link to one would be a 404.
        "event_url": external_url("events.detail", slug=event.slug)
        if event.status is EventStatus.published else None,
    }


def _invitation_context(session: Session, email: OutboundEmail) -> dict:
    """The invitation, and the links that answer it: only the speaker's own email carries them."""
    from eventsys.speakers import invitation_links  # imported here for the same reason as invitations

    context = _engagement_context(session, email)
    token = invitation_links.invitation_token(context["engagement"].id)
    context["accept_url"] = external_url("speakers.invitation", token=token, answer="accept")
    context["decline_url"] = external_url("speakers.invitation", token=token, answer="decline")
    # The speaker's own clock beside the event's; the answer's note to the organiser keeps the event's.
    context["reader_zone"] = context["speaker"].timezone
    return context


#: registered by eventsys.register_email_kinds
KINDS = (
    EmailKind(SPEAKER_INVITATION, _invitation_context, label=_l("Speaker invitation")),
    EmailKind(INVITATION_ANSWERED, _engagement_context, label=_l("Speaker answered an invitation")),
)
