"""Building events and registrations for tests, with sensible defaults to override."""

import itertools
from datetime import timedelta

from eventsys.database import db, utcnow
from eventsys.events.models import Event, EventKind, EventMode, EventStatus
from eventsys.registration.models import Question, QuestionKind
from eventsys.registration.services import Applicant

_numbers = itertools.count(1)
#: every test organiser's password
ORGANISER_PASSWORD = "correct horse battery"


def make_event(**overrides) -> Event:
    """A published in-person conference in 30 days, in Harbin's timezone, saved."""
    number = next(_numbers)
    starts_at = overrides.pop("starts_at", utcnow().replace(microsecond=0) + timedelta(days=30))
    values = dict(
        slug=f"test-conference-{number}",
        kind=EventKind.conference,
        mode=EventMode.in_person,
        title=f"Test Conference {number}",
        summary="A conference for tests.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=2),
        timezone="Asia/Shanghai",
        venue="Main Building, Harbin",
        capacity=50,
        status=EventStatus.published,
    )
    values.update(overrides)
    event = Event(**values)
    db.session.add(event)
    db.session.commit()
    return event


def make_running_event(**overrides) -> Event:
    """make_event, but under way: it began two hours ago and runs two more days (for the desk)."""
    starts_at = utcnow().replace(microsecond=0) - timedelta(hours=2)
    return make_event(**{"starts_at": starts_at, "ends_at": starts_at + timedelta(days=2), **overrides})


def add_question(event: Event, kind: QuestionKind, label: str, required: bool = False,
                 options: list[str] | None = None) -> Question:
    """Add a custom question to the event's form, saved."""
    question = Question(event_id=event.id, kind=kind, label=label, required=required,
                        options=options or [], position=len(event.questions))
    db.session.add(question)
    db.session.commit()
    db.session.refresh(event)
    return question


def applicant(number: int = 1, **overrides) -> Applicant:
    """A valid applicant; number makes the email unique."""
    values = dict(
        name=f"Attendee {number}",
        email=f"attendee{number}@example.org",
        affiliation="Bauman Moscow State Technical University",
        country="RU",
        category="faculty",
    )
    values.update(overrides)
    return Applicant(**values)


def registration_body(number: int = 1, **overrides) -> dict:
    """A valid JSON body for POST /api/v1/events/<slug>/registrations."""
    body = dict(name=f"Attendee {number}", email=f"attendee{number}@example.org",
                affiliation="Samara National Research University", country="RU", category="student",
                consent=True)
    body.update(overrides)
    return body


def make_organiser(email: str = "organiser@example.org", *events: Event, admin: bool = False,
                   password: str = ORGANISER_PASSWORD):
    """An organiser account managing the given events, saved."""
    from eventsys.accounts import services as accounts

    user = accounts.create_user(email, password, name=email.split("@")[0].title(), admin=admin)
    for event in events:
        accounts.add_manager(event.id, user)
    db.session.commit()
    return user


def sign_in(client, email: str, password: str = ORGANISER_PASSWORD):
    """Sign in through the real login form (CSRF token included); returns the response."""
    from tests.formpage import read_form

    page = client.get("/login")
    token = read_form(page.get_data(as_text=True)).fields["csrf_token"]
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on the page at path, as a browser would submit it."""
    from tests.formpage import read_form

    return read_form(client.get(path).get_data(as_text=True)).fields["csrf_token"]


def make_token(user, scope: str = "write", name: str = "test script", **overrides) -> str:
    """A personal API token of the user (write scope unless said), saved; returns its full text."""
    from eventsys.apitokens import services as tokens
    from eventsys.apitokens.models import TokenScope

    _token, text = tokens.create_token(user, name, TokenScope(scope), **overrides)
    return text


def bearer(token: str) -> dict:
    """The headers that send a personal API token."""
    return {"Authorization": f"Bearer {token}"}


def bulk_registrations(event: Event, count: int, **overrides) -> None:
    """count confirmed registrations of the event in one INSERT, fast (no seats counted: for lists)."""
    import secrets

    import sqlalchemy as sa

    from eventsys.registration import checkin_codes
    from eventsys.registration.mailboxes import mailbox_key
    from eventsys.registration.models import AttendeeCategory, Registration, RegistrationStatus

    now, batch = utcnow(), next(_numbers)
    rows = []
    for number in range(count):
        email = f"bulk{batch}-{number}.{event.id}@example.org"
        rows.append(dict(event_id=event.id, name=f"Attendee {number:05d}", email=email,
                         email_key=mailbox_key(email), affiliation="", country="RU",
                         category=AttendeeCategory.student, answers={}, status=RegistrationStatus.confirmed,
                         token=secrets.token_urlsafe(24),
                         checkin_code=checkin_codes.new_code(), locale="en", created_at=now,
                         consented_at=now) | overrides)
    db.session.execute(sa.insert(Registration), rows)
    db.session.commit()
