"""Inviting a speaker to an event, and the speaker's answer: the rules, one way in for page, CLI and beat.

The invitation lives on the Engagement (invited → accepted, declined or expired)
and each email is added to the outbox in the transaction that changes it. The
first answer stands: a second one is refused and tells nobody anything.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from eventsys.accounts.services import language_of_organiser
from eventsys.database import db, utcnow
from eventsys.events.models import Event, EventStatus, ProgrammeItem
from eventsys.mail import outbox
from eventsys.speakers.emails import INVITATION_ANSWERED, SPEAKER_INVITATION
from eventsys.speakers.models import Engagement, InvitationStatus, Speaker, SpeakerRole
from eventsys.textrules import text_problem
from eventsys.webhooks import emit as webhooks

#: how long a speaker has to answer, unless the event starts sooner
INVITATION_VALIDITY = timedelta(days=30)
#: longest note a speaker can send with the answer
NOTE_MAX = 2000

#: how the invitation names each role: "... as keynote speaker at ..."
ROLE_IN_WORDS = {
    # Translators: the roles complete "would be honoured to welcome you as … at <event>".
    SpeakerRole.keynote: _l("keynote speaker"),
    SpeakerRole.invited_talk: _l("invited speaker"),
    SpeakerRole.panel: _l("panellist"),
    SpeakerRole.online_lecture: _l("online lecturer"),
}


class InvitationError(Exception):
    """An invitation could not be made or answered; the message says why, for the person."""


class InvitationNotFound(InvitationError):
    """No invitation behind this id: never made, or the engagement was removed."""

    def __init__(self):
        super().__init__(_("We could not find this invitation. It may have been withdrawn."))


class InvitationGone(InvitationError):
    """The invitation can no longer be answered, and never will again; `engagement` is it."""

    def __init__(self, message: str, engagement: Engagement):
        super().__init__(message)
        self.engagement = engagement


class InvitationExpired(InvitationGone):
    """The time to answer has passed."""

    def __init__(self, engagement: Engagement):
        super().__init__(_("This invitation has expired."), engagement)


class InvitationReplaced(InvitationGone):
    """The link is from an earlier round: the invitation was renewed and a new email sent since."""

    def __init__(self, engagement: Engagement):
        super().__init__(_("This link was replaced by a newer invitation: please use the link in the "
                           "latest invitation email."), engagement)


class AlreadyAnswered(InvitationError):
    """The speaker answered before; that first answer stands. `engagement` shows it."""

    def __init__(self, engagement: Engagement):
        # Translators: %(status)s is the invitation's state as the organisers' pages name it, in lower case.
        super().__init__(_("This invitation was already %(status)s.",
                           status=str(engagement.invitation_status.label).lower()))
        self.engagement = engagement


def role_in_words(role: SpeakerRole) -> str:
    """The role as a sentence says it: 'keynote speaker', in the language being written."""
    # ROLE_IN_WORDS holds lazy strings: str() translates them now, in the language being written.
    return str(ROLE_IN_WORDS.get(role, role.value.replace("_", " ")))


def round_stamp(engagement: Engagement) -> str:
    """The round of the invitation, as its links and outbox keys name it: when it was (re)sent."""
    return engagement.invited_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def speaker_by_email(email: str) -> Speaker | None:
    """The speaker record with this email address, whatever its case."""
    return db.session.scalars(
        sa.select(Speaker).where(sa.func.lower(Speaker.email) == email.strip().lower())
    ).first()


def programme_item_by_title(event_id: int, title: str) -> ProgrammeItem | None:
    """The event's programme item with this title, ignoring case."""
    return db.session.scalars(
        sa.select(ProgrammeItem).where(
            ProgrammeItem.event_id == event_id, sa.func.lower(ProgrammeItem.title) == title.strip().lower()
        )
    ).first()


def find_engagement(speaker_id: int, event_id: int,
                    programme_item_id: int | None = None) -> Engagement | None:
    """The speaker's engagement at the event (in that programme item, or with the whole event)."""
    item_matches = (
        Engagement.programme_item_id.is_(None)
        if programme_item_id is None
        else Engagement.programme_item_id == programme_item_id
    )
    return db.session.scalars(
        sa.select(Engagement).where(
            Engagement.speaker_id == speaker_id, Engagement.event_id == event_id, item_matches
        )
    ).first()


def _checked_target(speaker_id: int, event_id: int, programme_item_id: int | None,
                    invited_by_email: str, now: datetime) -> tuple[Speaker, Event]:
    """The speaker and event, once it is sure an invitation can be sent; else InvitationError."""
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None:
        raise InvitationError(_("There is no speaker with id %(id)s.", id=speaker_id))
    if not speaker.email:
        raise InvitationError(_("%(name)s has no email address on record; add one before inviting them.",
                                name=speaker.display_name))
    event = db.session.get(Event, event_id)
    if event is None:
        raise InvitationError(_("There is no event with id %(id)s.", id=event_id))
    if event.status is EventStatus.cancelled:
        raise InvitationError(_("%(title)s has been cancelled; speakers cannot be invited to it.",
                                title=event.title))
    if event.starts_at <= now:
        raise InvitationError(_("%(title)s has already started; invite speakers before the start.",
                                title=event.title))
    if programme_item_id is not None:
        item = db.session.get(ProgrammeItem, programme_item_id)
        if item is None or item.event_id != event_id:
            raise InvitationError(_("The programme item %(id)s is not part of %(title)s.",
                                    id=programme_item_id, title=event.title))
    if "@" not in (invited_by_email or ""):
        raise InvitationError(_("Say who invites, by email address: that person is told the answer."))
    return speaker, event


def _role(role: SpeakerRole | str) -> SpeakerRole:
    """The role named, or InvitationError listing the roles there are."""
    try:
        return SpeakerRole(role)
    except ValueError:
        known = ", ".join(r.value for r in SpeakerRole)
        raise InvitationError(_("Unknown role %(role)s; choose one of %(known)s.", role=repr(role),
                                known=known)) from None


def invite_speaker(speaker_id: int, event_id: int, role: SpeakerRole | str, message: str = "",
                   programme_item_id: int | None = None, *, invited_by_email: str,
                   now: datetime | None = None) -> Engagement:
    """Invite the speaker to the event (or one programme item of it) and queue the invitation email.

    An engagement that already carries an invitation is returned unchanged: no
    second invitation and no second email. One the organisers added directly
    becomes an invitation. Raises InvitationError, and then writes nothing.
    """
    now = now or utcnow()
    role = _role(role)
    problem = text_problem(message, multiline=True)
    if problem:  # the rule every stored text follows, from the command line too
        raise InvitationError(problem)
    speaker, event = _checked_target(speaker_id, event_id, programme_item_id, invited_by_email, now)
    invitation = dict(
        role=role,
        invitation_status=InvitationStatus.invited,
        invited_at=now,
        invitation_expires_at=min(now + INVITATION_VALIDITY, event.starts_at),
        invitation_message=message.strip(),
        invited_by_email=invited_by_email.strip(),
        answered_at=None,
        answer_note="",
    )
    engagement = find_engagement(speaker_id, event_id, programme_item_id)
    if engagement is not None and engagement.invitation_status is not None:
        return engagement
    if engagement is None:
        engagement = Engagement(
            speaker_id=speaker_id, event_id=event_id, programme_item_id=programme_item_id, **invitation
        )
        db.session.add(engagement)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            # The same engagement was added a moment ago from elsewhere and won the unique index:
            # go again, now with that one, which is either an invitation already or becomes one.
            db.session.rollback()
            if find_engagement(speaker_id, event_id, programme_item_id) is None:
                raise
            return invite_speaker(speaker_id, event_id, role, message, programme_item_id,
                                  invited_by_email=invited_by_email, now=now)
    else:
        for name, value in invitation.items():
            setattr(engagement, name, value)
    outbox.enqueue(
        SPEAKER_INVITATION, speaker.email, f"{SPEAKER_INVITATION}:engagement:{engagement.id}",
        locale=speaker.locale, context={"engagement_id": engagement.id}, event_id=event_id,
    )
    db.session.commit()
    return engagement


def round_key(kind: str, engagement: Engagement) -> str:
    """The outbox key of an email about this round of the invitation: a renewed one is a new round."""
    return f"{kind}:engagement:{engagement.id}:round:{round_stamp(engagement)}"


def _invitation(engagement_id: int) -> Engagement:
    """The engagement with its speaker, event and programme item, if it is an invitation."""
    engagement = db.session.scalars(
        sa.select(Engagement)
        .where(Engagement.id == engagement_id, Engagement.invitation_status.is_not(None))
        .options(joinedload(Engagement.speaker), joinedload(Engagement.event),
                 joinedload(Engagement.programme_item))
        .execution_options(populate_existing=True)
    ).first()
    if engagement is None:
        raise InvitationNotFound()
    return engagement


def _mark_expired(engagement_ids: sa.ColumnElement[bool], now: datetime) -> int:
    """Set still-open invitations matching the condition, whose time has passed, to expired."""
    result = db.session.execute(
        sa.update(Engagement)
        .where(engagement_ids, Engagement.invitation_status == InvitationStatus.invited,
               Engagement.invitation_expires_at <= now)
        .values(invitation_status=InvitationStatus.expired)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def expire_invitations(now: datetime | None = None) -> int:
    """Mark every unanswered invitation past its expiry as expired; returns how many (for beat)."""
    return _mark_expired(sa.true(), now or utcnow())


def expire_invitation(engagement_id: int, now: datetime | None = None) -> Engagement:
    """Mark this invitation expired if it is still unanswered and its time has passed; returns it."""
    _mark_expired(Engagement.id == engagement_id, now or utcnow())
    return _invitation(engagement_id)


def open_invitation(engagement_id: int, now: datetime | None = None, round: str | None = None) -> Engagement:
    """The invitation as its speaker may see it, answered or not.

    Raises InvitationNotFound; InvitationReplaced when `round` (from the link) is not the current one;
    InvitationExpired (marking it so) once the time has passed unanswered;
    InvitationGone while unanswered when the event has been cancelled since.
    """
    engagement = expire_invitation(engagement_id, now)
    if round is not None and round != round_stamp(engagement):
        raise InvitationReplaced(engagement)
    if engagement.invitation_status is InvitationStatus.expired:
        raise InvitationExpired(engagement)
    unanswered = engagement.invitation_status is InvitationStatus.invited
    if unanswered and engagement.event.status is EventStatus.cancelled:
        raise InvitationGone(_("%(event)s has been cancelled.", event=engagement.event.title), engagement)
    return engagement


def answer_invitation(engagement_id: int, accept: bool, note: str = "",
                      now: datetime | None = None, round: str | None = None) -> Engagement:
    """Record the speaker's answer and queue a note of it to whoever invited them.

    Only an open invitation takes an answer, and only in the round the link names (when it
    names one); the guarded UPDATE makes sure two answers sent at once, or an answer and a
    renewal, record (and tell) only one. Raises AlreadyAnswered, InvitationReplaced,
    InvitationExpired, InvitationGone or InvitationNotFound otherwise.
    """
    now = now or utcnow()
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvitationError(_("Please keep the note under %(limit)s characters.", limit=NOTE_MAX))
    cancelled_events = sa.select(Event.id).where(Event.status == EventStatus.cancelled)
    in_round = sa.true() if round is None else Engagement.invited_at == _round_time(round)
    answered = db.session.scalars(
        sa.update(Engagement)
        .where(Engagement.id == engagement_id, Engagement.invitation_status == InvitationStatus.invited,
               Engagement.invitation_expires_at > now, Engagement.event_id.not_in(cancelled_events),
               in_round)
        .values(invitation_status=InvitationStatus.accepted if accept else InvitationStatus.declined,
                answered_at=now, answer_note=note)
        .returning(Engagement)
        .execution_options(populate_existing=True, synchronize_session=False)
    ).first()
    if answered is None:
        # Say why: open_invitation raises for a missing, replaced, expired or withdrawn one;
        # what is left was answered.
        raise AlreadyAnswered(open_invitation(engagement_id, now, round))
    if answered.invited_by_email:
        outbox.enqueue(
            INVITATION_ANSWERED, answered.invited_by_email, round_key(INVITATION_ANSWERED, answered),
            locale=language_of_organiser(answered.invited_by_email),
            context={"engagement_id": answered.id, "accepted": accept, "note": note},
            event_id=answered.event_id,
        )
    webhooks.emit_engagement("speaker.invitation_answered", answered)
    db.session.commit()
    return answered


def _round_time(round: str) -> datetime | None:
    """The invited_at a round stamp stands for; None (matching no row) for a stamp of another shape."""
    try:
        return datetime.strptime(round, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


#: invitations that may be sent again: the speaker said no, or did not answer in time
RENEWABLE = (InvitationStatus.declined, InvitationStatus.expired)


def renew_invitation(engagement_id: int, *, invited_by_email: str, message: str | None = None,
                     now: datetime | None = None) -> Engagement:
    """Invite again a speaker who declined or let the invitation expire, and queue a new invitation email.

    The engagement starts a new round: open again, with a new expiry, the earlier
    answer and note cleared. The guarded UPDATE renews it once however often the
    button is pressed; the email's key names the round, so the outbox takes it.
    `message` None keeps the earlier words. Raises InvitationError, writing nothing.
    """
    now = now or utcnow()
    engagement = expire_invitation(engagement_id, now)
    if engagement.invitation_status not in RENEWABLE:
        raise InvitationError(_("This invitation is %(status)s; only a declined or expired one can be "
                                "renewed.", status=str(engagement.invitation_status.label).lower()))
    speaker, event = _checked_target(engagement.speaker_id, engagement.event_id,
                                     engagement.programme_item_id, invited_by_email, now)
    values = dict(
        invitation_status=InvitationStatus.invited,
        invited_at=now,
        invitation_expires_at=min(now + INVITATION_VALIDITY, event.starts_at),
        invited_by_email=invited_by_email.strip(),
        answered_at=None,
        answer_note="",
    )
    if message is not None:
        values["invitation_message"] = message.strip()
    renewed = db.session.scalars(
        sa.update(Engagement)
        .where(Engagement.id == engagement_id, Engagement.invitation_status.in_(RENEWABLE))
        .values(**values)
        .returning(Engagement)
        .execution_options(populate_existing=True, synchronize_session=False)
    ).first()
    if renewed is None:
        db.session.rollback()
        raise InvitationError(_("This invitation was renewed a moment ago; nothing more was sent."))
    outbox.enqueue(
        SPEAKER_INVITATION, speaker.email, round_key(SPEAKER_INVITATION, renewed), locale=speaker.locale,
        context={"engagement_id": renewed.id}, event_id=renewed.event_id,
    )
    db.session.commit()
    return renewed
