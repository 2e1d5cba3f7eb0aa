"""Load the demo year (`programme`) and its past years (`past_years`); a second run adds only what is missing.

Each record is looked up by a natural key (event slug, institution name, speaker email, question label
and programme item title within their event, engagement by speaker, event and item). A record that
exists is left as it is, so whatever organisers changed in the demo survives a second run.
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from eventsys.accounts.models import EventManager, User
from eventsys.database import db, utcnow
from eventsys.demo import past_years, people, programme
from eventsys.demo.attendees import register_demo_attendees
from eventsys.demo.invitations import invite_demo_delegation
from eventsys.demo.visa_letters import request_demo_letter
from eventsys.events.models import Event, EventMode, EventStatus, ProgrammeItem
from eventsys.registration.models import Question
from eventsys.speakers.models import Engagement, Institution, InvitationStatus, Speaker

#: online and hybrid events get a (fake) private meeting link under this address
MEETING_HOST = "https://meet.example.org"
#: the demo organiser, who manages every demo event; README and `make run` show these
DEMO_ORGANISER_EMAIL = "organiser@demo.eventsys.test"
DEMO_ORGANISER_PASSWORD = "astronautics-demo"


class _Loader:
    """Finds rows by natural key and adds the missing ones, counting what it added."""

    def __init__(self) -> None:
        self.created = 0

    def get_or_add(self, model: type, key: dict[str, Any], **fields: Any) -> Any:
        """The row matching key, or a new row made of key and fields."""
        row = db.session.scalars(sa.select(model).filter_by(**key)).first()
        if row is None:
            row = model(**key, **fields)
            db.session.add(row)
            db.session.flush()  # later rows refer to its id
            self.created += 1
        return row


def seed_demo() -> int:
    """Create the demo records that do not exist yet, commit, and return how many were created."""
    loader = _Loader()
    now = utcnow()
    all_institutions = (*people.INSTITUTIONS, *past_years.new_partner_specs(now.date()))
    institutions = {spec["name"]: _institution(loader, spec) for spec in all_institutions}
    speakers = {spec["email"]: _speaker(loader, spec, institutions) for spec in people.SPEAKERS}
    events: dict[str, Event] = {}
    items: dict[tuple[str, str], ProgrammeItem] = {}
    for spec in programme.EVENTS:
        event = events[spec["slug"]] = _event(loader, spec, now)
        for row in spec.get("programme", ()):
            item = _programme_item(loader, event, *row)
            items[event.slug, item.title] = item
    for email, slug, item_title, role in programme.ENGAGEMENTS:
        item = items[slug, item_title] if item_title else None
        _engagement(loader, speakers[email], events[slug], item, role)
    past = [_event(loader, spec, now) for spec in past_years.EVENTS]
    events.update((event.slug, event) for event in past)
    for email, slug, role, status in past_years.ENGAGEMENTS:
        _engagement(loader, speakers[email], events[slug], None, role, status)
    for slug, questions in programme.QUESTIONS.items():
        for position, spec in enumerate(questions, start=1):
            _question(loader, events[slug], position, spec)
    organiser = loader.get_or_add(
        User, {"email": DEMO_ORGANISER_EMAIL}, name="Demo Organiser",
        password_hash=generate_password_hash(DEMO_ORGANISER_PASSWORD),
    )
    for event in events.values():
        loader.get_or_add(EventManager, {"event_id": event.id, "user_id": organiser.id})
    past_attendees = past_years.add_past_attendees(past)
    db.session.commit()
    return (loader.created + past_attendees + register_demo_attendees() + request_demo_letter()
            + invite_demo_delegation())


def _at(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    """The aware datetime at wall-clock time hhmm on day in zone."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def _institution(loader: _Loader, spec: dict[str, Any]) -> Institution:
    """The institution named in spec; a partner when it has a partner_since date."""
    return loader.get_or_add(
        Institution,
        {"name": spec["name"]},
        country=spec["country"],
        city=spec["city"],
        website=spec["website"],
        partner=spec["partner_since"] is not None,
        partner_since=spec["partner_since"],
    )


def _speaker(loader: _Loader, spec: dict[str, Any], institutions: dict[str, Institution]) -> Speaker:
    """The speaker with spec's email, working in the country of their institution."""
    institution = institutions[spec["institution"]]
    return loader.get_or_add(
        Speaker,
        {"email": spec["email"]},
        name=spec["name"],
        title=spec["title"],
        institution=institution,
        country=institution.country,
        biography=spec["biography"],
        honours=list(spec["honours"]),
        expertise=list(spec["expertise"]),
    )


def _event(loader: _Loader, spec: dict[str, Any], now: datetime) -> Event:
    """The event with spec's slug, dated `in_days` days after today in its own timezone."""
    zone = ZoneInfo(spec["timezone"])
    first_day = now.astimezone(zone).date() + timedelta(days=spec["in_days"])
    last_day = first_day + timedelta(days=spec.get("days", 1) - 1)
    starts_at = _at(first_day, spec["starts"], zone)
    opens_before = spec.get("registration_opens_before")
    closes_before = spec.get("registration_closes_before")
    return loader.get_or_add(
        Event,
        {"slug": spec["slug"]},
        kind=spec["kind"],
        mode=spec["mode"],
        status=spec.get("status", EventStatus.published),
        title=spec["title"],
        summary=spec["summary"],
        description=spec["description"],
        starts_at=starts_at,
        ends_at=_at(last_day, spec["ends"], zone),
        timezone=spec["timezone"],
        venue=spec["venue"],
        meeting_url=None if spec["mode"] == EventMode.in_person else f"{MEETING_HOST}/{spec['slug']}",
        capacity=spec["capacity"],
        registration_opens_at=starts_at - opens_before if opens_before else None,
        registration_closes_at=starts_at - closes_before if closes_before else None,
        language="en",
    )


def _programme_item(
    loader: _Loader, event: Event, day: int, starts: str, ends: str, title: str, location: str
) -> ProgrammeItem:
    """The item titled title on the given day of event, timed from the event's stored first day."""
    # From the stored start, not from today: a re-run on a later day still fits the event's dates.
    on_day = event.starts_at.astimezone(event.zone).date() + timedelta(days=day - 1)
    return loader.get_or_add(
        ProgrammeItem,
        {"event_id": event.id, "title": title},
        starts_at=_at(on_day, starts, event.zone),
        ends_at=_at(on_day, ends, event.zone),
        location=location,
    )


def _engagement(
    loader: _Loader, speaker: Speaker, event: Event, item: ProgrammeItem | None, role: str,
    status: InvitationStatus | None = None,
) -> Engagement:
    """The speaker's engagement at event, in item or (item None) in the event as a whole.

    With a status, as if invited and answered a month before the event; without, added directly.
    """
    # filter_by with None compares IS NULL: the unique constraint does not stop NULL duplicates.
    return loader.get_or_add(
        Engagement,
        {"speaker_id": speaker.id, "event_id": event.id, "programme_item_id": item.id if item else None},
        role=role,
        invitation_status=status,
        invited_at=event.starts_at - timedelta(days=60) if status else None,
        answered_at=event.starts_at - timedelta(days=30) if status else None,
    )


def _question(loader: _Loader, event: Event, position: int, spec: dict[str, Any]) -> Question:
    """The question with spec's label on event's registration form."""
    return loader.get_or_add(
        Question,
        {"event_id": event.id, "label": spec["label"]},
        position=position,
        kind=spec["kind"],
        required=spec.get("required", False),
        options=list(spec.get("options", ())),
        help_text=spec.get("help_text", ""),
        number_min=spec.get("number_min"),
        number_max=spec.get("number_max"),
        whole_numbers=spec.get("whole_numbers", False),
    )
