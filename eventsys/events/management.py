"""Changing a planned event: its details and capacity, its programme, custom questions and managers.

The rules refuse with lifecycle.ChangeRefused, naming the form field each message
belongs next to; on a refusal nothing is written.
"""

from dataclasses import asdict, dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from eventsys.accounts.models import EventManager, User
from eventsys.accounts.services import add_manager, user_by_email
from eventsys.database import db, utcnow
from eventsys.events import rescheduling
from eventsys.events.lifecycle import (
    ChangeRefused,
    EventDetails,
    commit_or_explain_slug,
    detail_errors,
    ensure_changeable,
)
from eventsys.events.models import Event, ProgrammeItem
from eventsys.registration.models import Question, QuestionKind, Registration
from eventsys.registration.services import fill_free_seats, lock_event
from eventsys.speakers.models import Engagement, InvitationStatus, Speaker, SpeakerRole
from eventsys.textrules import check_number
from eventsys.webhooks import emit as webhooks

CHOICE_KINDS = (QuestionKind.single_choice, QuestionKind.multiple_choice)
OPTION_MAX = 200




def _move_programme(event: Event, details: EventDetails) -> None:
    """Moving the start moves the programme with it; refuse when items would then fall outside."""
    shift = details.starts_at - event.starts_at
    outside = 0
    for item in event.programme:
        item.starts_at, item.ends_at = item.starts_at + shift, item.ends_at + shift
        outside += item.ends_at > details.ends_at
    if outside:
        raise ChangeRefused({"ends_at": ngettext(
            "%(num)d programme item would end after this; shorten or delete it first.",
            "%(num)d programme items would end after this; shorten or delete them first.", outside)})


def update_event(event_id: int, details: EventDetails) -> list[Registration]:
    """Save an edit of the event; returns the people who moved up from the waiting list as capacity grew."""
    errors = detail_errors(details, event_id)
    if errors:
        raise ChangeRefused(errors)
    # End the read: the lock below must see the seat counts as they are now, also on SQLite.
    db.session.commit()
    try:
        event = lock_event(event_id)
        ensure_changeable(event)
        taken = event.confirmed_count
        if details.capacity is not None and details.capacity < taken + event.held_count:
            # Checked under the lock, so no registration can take a seat between this check and the commit.
            if event.held_count:
                raise ChangeRefused({"capacity": ngettext(
                    "%(num)d seats are taken or held for invitees; capacity cannot be lower than %(num)d.",
                    "%(num)d seats are taken or held for invitees; capacity cannot be lower than %(num)d.",
                    taken + event.held_count)})
            raise ChangeRefused({"capacity": ngettext(
                "%(num)d person already holds a seat; capacity cannot be lower than %(num)d.",
                "%(num)d people already hold a seat; capacity cannot be lower than %(num)d.", taken)})
        _move_programme(event, details)
        rescheduling.announce_move(event, details.starts_at, details.ends_at)
        for name, value in asdict(details).items():
            if value is not None or name != "verify_emails":
                setattr(event, name, value)
        # Seats a raise frees go to the people waiting in this same transaction, under the same lock:
        # committed apart, a newcomer could take one before them.
        promoted = fill_free_seats(event, utcnow())
        webhooks.emit_event("event.updated", event)
    except BaseException:
        db.session.rollback()
        raise
    commit_or_explain_slug(details.slug, event_id)
    return promoted


@dataclass(frozen=True)
class ItemDetails:
    """What an organiser sets on a programme item; times are aware."""

    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    description: str


def programme_of(event_id: int) -> list[ProgrammeItem]:
    """The event's items in time order, each with its speakers loaded."""
    return list(db.session.scalars(
        sa.select(ProgrammeItem).where(ProgrammeItem.event_id == event_id)
        .order_by(ProgrammeItem.starts_at, ProgrammeItem.id)
        .options(selectinload(ProgrammeItem.engagements).selectinload(Engagement.speaker))
    ))


def item_of(event_id: int, item_id: int) -> ProgrammeItem | None:
    """The programme item, only if it belongs to this event."""
    item = db.session.get(ProgrammeItem, item_id)
    return item if item is not None and item.event_id == event_id else None


def save_programme_item(event: Event, details: ItemDetails, item: ProgrammeItem | None = None
                        ) -> ProgrammeItem:
    """Add an item (or change `item`); it lies within the event's time and cannot end before it starts."""
    ensure_changeable(event)
    errors = {}
    if not details.title.strip():
        errors["title"] = _("Give the item a title.")
    # Forms give minutes: an item may start in the minute the event starts, whatever its seconds.
    if not event.starts_at.replace(second=0, microsecond=0) <= details.starts_at <= event.ends_at:
        errors["starts_at"] = _("The item must start while the event runs.")
    if details.ends_at < details.starts_at:
        errors["ends_at"] = _("The item cannot end before it starts.")
    elif details.ends_at > event.ends_at:
        errors["ends_at"] = _("The item must end by the end of the event.")
    if errors:
        raise ChangeRefused(errors)
    item = item or ProgrammeItem(event_id=event.id)
    for name, value in asdict(details).items():
        setattr(item, name, value)
    db.session.add(item)
    db.session.commit()
    return item


def _invited(item: ProgrammeItem) -> list[Engagement]:
    live = (InvitationStatus.invited, InvitationStatus.accepted)
    return [e for e in item.engagements if e.invitation_status in live]


def delete_programme_item(event: Event, item: ProgrammeItem) -> None:
    """Remove the item and its speakers, unless a speaker was invited to it and has not declined."""
    ensure_changeable(event)
    invited = _invited(item)
    if invited:
        names = ", ".join(e.speaker.display_name for e in invited)
        raise ChangeRefused({"": _("%(names)s accepted or has an open invitation for this item; "
                                   "settle that on the speakers page before deleting it.", names=names)})
    db.session.delete(item)
    db.session.commit()


def speakers_to_choose() -> list[Speaker]:
    """Every speaker record by name, with their institution: the choice when adding one to an item."""
    return list(db.session.scalars(
        sa.select(Speaker).order_by(Speaker.name, Speaker.id).options(selectinload(Speaker.institution))
    ))


def add_item_speaker(item: ProgrammeItem, speaker_id: int, role: SpeakerRole) -> Engagement:
    """Put a speaker on the item directly, without an invitation."""
    ensure_changeable(item.event)
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None:
        raise ChangeRefused({"speaker_id": _("Choose a speaker from the list.")})
    if any(e.speaker_id == speaker_id for e in item.engagements):
        raise ChangeRefused({"speaker_id": _("%(name)s is already on this item.",
                                              name=speaker.display_name)})
    engagement = Engagement(speaker_id=speaker_id, event_id=item.event_id, programme_item_id=item.id,
                            role=role, invitation_status=None)
    db.session.add(engagement)
    db.session.commit()
    return engagement


def remove_item_speaker(item: ProgrammeItem, engagement_id: int) -> Speaker:
    """Take a directly added speaker off the item (returned); invited ones are for the speakers page."""
    ensure_changeable(item.event)
    engagement = next((e for e in item.engagements if e.id == engagement_id), None)
    if engagement is None:
        raise ChangeRefused({"": _("This speaker is not on this item (any more).")})
    if engagement.invitation_status is not None:
        raise ChangeRefused({"": _("%(name)s was invited: answer or withdraw the invitation on the "
                                   "speakers page.", name=engagement.speaker.display_name)})
    speaker = engagement.speaker
    db.session.delete(engagement)
    db.session.commit()
    return speaker


@dataclass(frozen=True)
class QuestionDetails:
    """What an organiser sets on a custom registration question."""

    kind: QuestionKind
    label: str
    help_text: str
    required: bool
    options: list[str]
    #: a number question's smallest and largest answer (inclusive), None for no limit
    number_min: float | None = None
    number_max: float | None = None
    #: a number question takes whole numbers only
    whole_numbers: bool = False


def question_of(event_id: int, question_id: int) -> Question | None:
    """The question, only if it belongs to this event."""
    question = db.session.get(Question, question_id)
    return question if question is not None and question.event_id == event_id else None


def has_registrations(event_id: int) -> bool:
    """Whether anyone ever registered (even if cancelled): their answers are kept in the rows."""
    return db.session.scalar(sa.select(sa.exists().where(Registration.event_id == event_id)))


def save_question(event: Event, details: QuestionDetails, question: Question | None = None) -> Question:
    """Add a question at the end of the form (or change `question`); its kind is fixed once answered."""
    ensure_changeable(event)
    errors = {}
    if not details.label.strip():
        errors["label"] = _("Write the question.")
    options = list(dict.fromkeys(o.strip() for o in details.options if o.strip()))
    if details.kind in CHOICE_KINDS and not options:
        errors["options"] = _("List the choices, one per line.")
    elif any(len(option) > OPTION_MAX for option in options):
        errors["options"] = _("Keep each choice under %(limit)s characters.", limit=OPTION_MAX)
    if details.kind is QuestionKind.number:
        errors |= _number_settings_problems(details)
    if question is not None and details.kind is not question.kind and has_registrations(event.id):
        errors["kind"] = _("People have registered with this question already; its kind cannot change. "
                           "Add a new question instead.")
    if errors:
        raise ChangeRefused(errors)
    if question is None:
        last = db.session.scalar(
            sa.select(sa.func.max(Question.position)).where(Question.event_id == event.id)
        )
        question = Question(event_id=event.id, position=(last or 0) + 1)
        db.session.add(question)
    fields = asdict(details) | {"options": options if details.kind in CHOICE_KINDS else []}
    if details.kind is not QuestionKind.number:  # limits of a kind that has none would only confuse
        fields |= {"number_min": None, "number_max": None, "whole_numbers": False}
    for name, value in fields.items():
        setattr(question, name, value)
    db.session.commit()
    return question


def _number_settings_problems(details: QuestionDetails) -> dict[str, str]:
    """What is wrong with a number question's limits, by field: each within range, the smaller first."""
    errors = {}
    for name in ("number_min", "number_max"):
        limit = getattr(details, name)
        if limit is None:
            continue
        try:
            check_number(limit)
        except ValueError as problem:
            errors[name] = str(problem)
            continue
        if details.whole_numbers and limit != int(limit):
            errors[name] = _("With whole numbers only, the limits are whole numbers too.")
    if not errors and None not in (details.number_min, details.number_max) \
            and details.number_min > details.number_max:
        errors["number_max"] = _("The largest answer cannot be smaller than the smallest.")
    return errors


def delete_question(event: Event, question: Question) -> None:
    """Remove the question from the form; answers already given stay in the registrations."""
    ensure_changeable(event)
    db.session.delete(question)
    db.session.commit()


def move_question(event: Event, question: Question, step: int) -> None:
    """Move the question one place up (step -1) or down (+1) on the form."""
    ensure_changeable(event)
    ordered = list(db.session.scalars(
        sa.select(Question).where(Question.event_id == event.id).order_by(Question.position, Question.id)
    ))
    index = ordered.index(question)
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    # Renumber all: positions may repeat (0 by default), and a swap of equals would change nothing.
    for position, each in enumerate(ordered):
        each.position = position
    db.session.commit()


def managers_of(event_id: int) -> list[User]:
    """The organisers who manage the event, by email."""
    return list(db.session.scalars(
        sa.select(User).join(EventManager, EventManager.user_id == User.id)
        .where(EventManager.event_id == event_id).order_by(User.email)
    ))


def add_manager_by_email(event_id: int, email: str) -> User:
    """Make the organiser with this address a manager of the event."""
    user = user_by_email(email)
    if user is None:
        raise ChangeRefused({"email": _("No organiser account uses %(email)s. An admin can create one.",
                                        email=email.strip())})
    if not user.active:
        raise ChangeRefused({"email": _("The account of %(email)s is deactivated.", email=user.email)})
    if db.session.get(EventManager, (event_id, user.id)) is not None:
        raise ChangeRefused({"email": _("%(email)s manages this event already.", email=user.email)})
    add_manager(event_id, user)
    db.session.commit()
    return user


def remove_manager(event_id: int, user_id: int) -> None:
    """Stop the organiser managing the event; the last manager stays, so the event is never orphaned."""
    manager = db.session.get(EventManager, (event_id, user_id))
    if manager is None:
        raise ChangeRefused({"": _("This organiser does not manage this event.")})
    count = db.session.scalar(sa.select(sa.func.count()).where(EventManager.event_id == event_id))
    if count <= 1:
        raise ChangeRefused({"": _("An event needs at least one manager: add another one first.")})
    db.session.delete(manager)
    db.session.commit()
