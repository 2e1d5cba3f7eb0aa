"""An ended conference with real registrations, answers and emails, for the retention tests."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.mail import outbox
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.mail.outbox import flush_dispatch
from eventsys.registration import handling, services, tally
from eventsys.registration.mailboxes import mailbox_key
from eventsys.registration.models import QuestionKind, Registration, RegistrationAttempt
from tests.factories import add_question, applicant, make_event

#: what identifies the registrants: none of it may be left anywhere once anonymised
PERSONAL = ["Olena Shevchenko", "olena@example.org", "Li Na", "lina@example.org", "Ivan Sidorov",
            "ivan@example.org", "Chen Jie", "chen@example.org", "Tsinghua University",
            "Samara National Research University", "Halal meals please", "unconfirmed@example.org"]


@dataclass
class Story:
    event_id: int
    old_tokens: list[str]
    queued_email_id: int


def ended(event: Event, ago: timedelta) -> None:
    """Move the event into the past: it ended `ago` before now."""
    ends_at = utcnow() - ago
    db.session.execute(sa.update(Event).where(Event.id == event.id)
                       .values(starts_at=ends_at - timedelta(days=2), ends_at=ends_at,
                               registration_closes_at=None))
    db.session.commit()


def ended_conference(anonymise_after_days: int | None = 3, **event_values) -> Story:
    """Two confirmed (one checked in), one waitlisted, one cancelled, with answers, sent and queued emails."""
    event = make_event(capacity=2, title="Symposium on Intelligent Microsystems",
                       anonymise_after_days=anonymise_after_days, **event_values)
    diet = add_question(event, QuestionKind.text, "Dietary needs")
    olena = services.register(event, applicant(1, name="Olena Shevchenko", email="olena@example.org",
                                               country="UA", answers={str(diet.id): "Halal meals please"}))
    lina = services.register(event, applicant(2, name="Li Na", email="lina@example.org", country="CN",
                                              affiliation="Tsinghua University", category="student"))
    services.register(event, applicant(3, name="Ivan Sidorov", email="ivan@example.org", country="RU",
                                       affiliation="Samara National Research University"))
    chen = services.register(event, applicant(4, name="Chen Jie", email="chen@example.org", country="CN"))
    services.cancel_registration(chen.id)
    handling.check_in(event.id, lina, outside_days_confirmed=True)
    db.session.add(RegistrationAttempt(event_id=event.id, email_key=mailbox_key("unconfirmed@example.org"),
                                       values={"name": "Unconfirmed", "email": "unconfirmed@example.org"},
                                       expires_at=utcnow() + timedelta(days=1)))
    # A message to Olena still waiting for its time: anonymising must withdraw it.
    queued = outbox.enqueue("registration_confirmed", olena.email, f"story:{event.id}", event_id=event.id,
                            registration_id=olena.id)
    db.session.execute(sa.update(OutboundEmail).where(OutboundEmail.id == queued)
                       .values(next_attempt_at=utcnow() + timedelta(days=30)))
    db.session.commit()
    flush_dispatch()
    tokens = list(db.session.scalars(sa.select(Registration.token).where(Registration.event_id == event.id)))
    return Story(event_id=event.id, old_tokens=tokens, queued_email_id=queued)


def figures(event_id: int) -> dict:
    """What the exchange report reads: counts, the tally, and each registration's kept columns."""
    db.session.expire_all()
    event = db.session.get(Event, event_id)
    rows = db.session.execute(
        sa.select(Registration.id, Registration.country, Registration.category, Registration.status,
                  Registration.created_at, Registration.checked_in_at, Registration.waitlist_number)
        .where(Registration.event_id == event_id).order_by(Registration.id)
    ).all()
    return {"confirmed": event.confirmed_count, "waitlisted": event.waitlisted_count,
            "tally": tally.counts(event_id), "rows": [tuple(row) for row in rows]}


def sent_states(event_id: int) -> list[EmailState]:
    """The states of the event's emails, oldest first."""
    return list(db.session.scalars(sa.select(OutboundEmail.state).where(OutboundEmail.event_id == event_id)
                                   .order_by(OutboundEmail.id)))
