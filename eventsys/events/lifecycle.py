"""An event's life: created as a draft, published, cancelled (telling every registrant), or duplicated.

The rules on an event's details live here too, shared by creating and editing.
Every rule refuses with ChangeRefused, whose `errors` name the form field each
message belongs next to; on a refusal nothing is written.
"""

import re
import unicodedata
from copy import deepcopy
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_number
from flask_babel import gettext as _

from eventsys.accounts.models import EventManager, User
from eventsys.accounts.services import add_manager
from eventsys.database import db, utcnow
from eventsys.events.emails import EVENT_CANCELLED, EVENT_MOVED
from eventsys.events.models import Event, EventKind, EventMode, EventStatus, ProgrammeItem
from eventsys.mail import outbox
from eventsys.registration import tally
from eventsys.registration.emails import active_registrations_of, enqueue_for_registrations
from eventsys.registration.models import Question, RegistrationStatus
from eventsys.reminders.emails import REMINDER
from eventsys.timezones import is_timezone
from eventsys.webhooks import emit as webhooks

SLUG_MAX = 120
SLUG_SHAPE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANGUAGE_SHAPE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
#: how many days after the end registrations may be kept before they are anonymised: a day to ten years
RETENTION_DAYS_MIN, RETENTION_DAYS_MAX = 1, 3650
#: statuses of the registrations a cancellation notice goes to (registration.emails.active_registrations_of)
NOTIFIED = (RegistrationStatus.confirmed, RegistrationStatus.waitlisted, RegistrationStatus.pending)


class ChangeRefused(ValueError):
    """A change breaks a rule; `errors` maps each form field concerned to a message ("" = the whole form)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class EventDetails:
    """What an organiser sets on an event; names are the Event columns they fill. Times are aware."""

    kind: EventKind
    mode: EventMode
    title: str
    slug: str
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    venue: str
    meeting_url: str | None
    capacity: int | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    language: str
    requires_approval: bool
    reminder_offsets: list[int] | None
    #: None: on for a new event with limited seats, unchanged on an edit
    verify_emails: bool | None = None
    #: days after the end at which registrations are anonymised (retention/); None: never by itself
    anonymise_after_days: int | None = None


def suggest_slug(title: str) -> str:
    """'Lecture on Orbital Débris' → 'lecture-on-orbital-debris'; 'event' when nothing Latin is left."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_title))[:SLUG_MAX - 10].strip("-") or "event"


def free_slug(base: str) -> str:
    """base itself when no event uses it, else base-2, base-3 … (kept within the column's length)."""
    base = base[:SLUG_MAX - 6].strip("-")
    taken = set(db.session.scalars(sa.select(Event.slug).where(Event.slug.startswith(base))))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _slug_taken(slug: str, event_id: int | None) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Event.slug == slug, Event.id != (event_id or 0))))


def detail_errors(details: EventDetails, event_id: int | None = None) -> dict[str, str]:
    """The rules on an event's details that need no lock; field name → message, empty when all is well."""
    errors = {}
    if not details.title.strip():
        errors["title"] = _("Give the event a title.")
    if not SLUG_SHAPE.fullmatch(details.slug) or len(details.slug) > SLUG_MAX:
        errors["slug"] = _("Use lower-case letters, digits and single hyphens, like spring-lecture-2026.")
    elif _slug_taken(details.slug, event_id):
        errors["slug"] = _("Another event already uses /events/%(slug)s; choose another address.",
                           slug=details.slug)
    if not is_timezone(details.timezone):
        errors["timezone"] = _("Choose the timezone from the list.")
    if details.ends_at < details.starts_at:
        errors["ends_at"] = _("The event cannot end before it starts.")
    if details.capacity is not None and details.capacity < 0:
        errors["capacity"] = _("Capacity cannot be negative; leave it blank for no limit.")
    if details.meeting_url and not details.meeting_url.startswith(("https://", "http://")):
        errors["meeting_url"] = _("Give the full address, starting with https://.")
    opens, closes = details.registration_opens_at, details.registration_closes_at
    if opens and closes and closes <= opens:
        errors["registration_closes_at"] = _("Registration must close after it opens.")
    elif closes and closes > details.ends_at:
        errors["registration_closes_at"] = _("Registration cannot close after the event ends.")
    elif opens and opens >= details.ends_at:
        errors["registration_opens_at"] = _("Registration must open before the event ends.")
    if not LANGUAGE_SHAPE.fullmatch(details.language):
        errors["language"] = _("Give a language tag such as en, zh or ru.")
    days = details.anonymise_after_days
    if days is not None and not RETENTION_DAYS_MIN <= days <= RETENTION_DAYS_MAX:
        errors["anonymise_after_days"] = _(
            "Give a number of days from %(min)s to %(max)s, or leave it blank.",
            min=format_number(RETENTION_DAYS_MIN), max=format_number(RETENTION_DAYS_MAX))
    if details.reminder_offsets and min(details.reminder_offsets) <= 0:
        errors["reminder_offsets"] = _("Reminders go out before the start: use positive times.")
    return errors


def commit_or_explain_slug(slug: str, event_id: int | None) -> None:
    """Commit; when another request took the slug since it was checked, say so on the slug field."""
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        if _slug_taken(slug, event_id):
            message = _("Another event already uses /events/%(slug)s.", slug=slug)
            raise ChangeRefused({"slug": message}) from None
        raise


def ensure_changeable(event: Event) -> None:
    """Refuse changes to a cancelled event: its registrants have been told it will not happen."""
    if event.status is EventStatus.cancelled:
        raise ChangeRefused({"": _("This event is cancelled and can no longer be changed; "
                                   "duplicate it to plan it again.")})


def create_event(details: EventDetails, creator: User) -> Event:
    """Save a new draft event (its address made from the title when blank); its creator manages it."""
    if not details.slug:
        details = replace(details, slug=free_slug(suggest_slug(details.title)))
    if details.verify_emails is None:
        # Limited seats are what a script grabs with made-up addresses; unlimited ones cost it nothing.
        details = replace(details, verify_emails=details.capacity is not None)
    errors = detail_errors(details)
    if errors:
        raise ChangeRefused(errors)
    event = Event(**asdict(details), status=EventStatus.draft)
    db.session.add(event)
    db.session.flush()
    add_manager(event.id, creator)
    commit_or_explain_slug(details.slug, None)
    return event


def publish_problems(event: Event, now: datetime | None = None) -> list[str]:
    """What stands between the event and its public page; empty when it can be published."""
    now = now or utcnow()
    problems = []
    if event.status is not EventStatus.draft:
        # Translators: %(status)s is the event's status as stored in English: published or cancelled.
        problems.append(_("Only drafts can be published; this event is %(status)s.",
                          status=event.status.value))
    if not event.summary.strip():
        problems.append(_("Add a summary: lists and link previews show it."))
    if event.mode is not EventMode.online and not event.venue.strip():
        problems.append(_("Add the venue: people coming in person need to know where."))
    if event.ends_at <= now:
        problems.append(_("The event is over: change its dates first."))
    elif event.registration_closes_at and event.registration_closes_at <= now:
        problems.append(_("Registration would already be closed: move or clear its closing time."))
    return problems


def publish_event(event_id: int) -> Event:
    """Put a complete draft on the public pages (open for registration within its window)."""
    event = db.session.get(Event, event_id)
    problems = publish_problems(event)
    if problems:
        raise ChangeRefused({"": " ".join(problems)})
    event.status = EventStatus.published
    webhooks.emit_event("event.updated", event)
    db.session.commit()
    return event


def seat_counts(event_id: int) -> dict[RegistrationStatus, int]:
    """How many registrations of the event have each status, read from the tally."""
    totals = dict.fromkeys(RegistrationStatus, 0)
    for (status, _country), count in tally.counts(event_id).items():
        totals[status] += count
    return totals


def people_to_notify(event_id: int) -> int:
    """How many registrants a cancellation would write to: everyone holding a seat, waiting or pending."""
    return sum(count for status, count in seat_counts(event_id).items() if status in NOTIFIED)


def cancel_event(event_id: int, reason: str = "") -> int:
    """Cancel the event and queue a notice to everyone registered or waiting; returns how many.

    Refuses (ChangeRefused) an event cancelled already: its registrants were told once.
    """
    event = db.session.get(Event, event_id)
    if event.status is EventStatus.cancelled:
        raise ChangeRefused({"": _("This event is already cancelled.")})
    event.status = EventStatus.cancelled
    # The notice's .ics (METHOD:CANCEL) removes the entry only if its SEQUENCE is above the last one sent.
    event.calendar_sequence = Event.calendar_sequence + 1
    outbox.withdraw_queued(event_id, [REMINDER, EVENT_MOVED])
    notified = enqueue_for_registrations(
        EVENT_CANCELLED, active_registrations_of(event_id), context={"reason": reason}
    )
    webhooks.emit_event("event.cancelled", event)
    db.session.commit()
    return notified


#: what a copy takes from its original: every detail but the address
_COPIED = tuple(f.name for f in fields(EventDetails) if f.name != "slug")


def duplicate_event(event_id: int, duplicator: User) -> Event:
    """A new draft with the event's details, questions and programme, to plan the next one from.

    Its address is '<slug>-copy' (numbered when taken) and its counters start at
    zero. Speakers are not copied, neither added ones nor invitations: the next
    lecture usually has another speaker, and a yes to one date is no yes to another.
    The copy is managed by the duplicator and by everyone who manages the original.
    """
    source = db.session.get(Event, event_id)
    copy = Event(**{name: deepcopy(getattr(source, name)) for name in _COPIED},
                 slug=free_slug(f"{source.slug}-copy"), status=EventStatus.draft)
    copy.questions = [
        Question(position=q.position, label=q.label, help_text=q.help_text, kind=q.kind,
                 required=q.required, options=list(q.options), number_min=q.number_min,
                 number_max=q.number_max, whole_numbers=q.whole_numbers)
        for q in source.questions
    ]
    copy.programme = [
        ProgrammeItem(starts_at=i.starts_at, ends_at=i.ends_at, title=i.title, description=i.description,
                      location=i.location)
        for i in source.programme
    ]
    db.session.add(copy)
    db.session.flush()
    managers = db.session.scalars(
        sa.select(User).join(EventManager, EventManager.user_id == User.id)
        .where(EventManager.event_id == event_id)
    )
    for user in {duplicator, *managers}:
        add_manager(copy.id, user)
    commit_or_explain_slug(copy.slug, None)
    return copy
