"""Beat anonymises an ended event's registrations once its day has come: who came goes, the figures stay."""

from datetime import timedelta

import sqlalchemy as sa

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.mail import outbox
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration.models import Registration, RegistrationAttempt
from eventsys.retention import services, tasks
from eventsys.retention.erasers import forget_eraser, register_eraser
from tests.conftest import both_databases
from tests.factories import make_organiser, sign_in
from tests.retention.story import PERSONAL, ended, ended_conference, figures, sent_states

ORGANISER = "organiser@example.org"


def _pages(client, event_id: int) -> str:
    """Everything an organiser can read about the event's registrants: list, CSV, desk, outbox."""
    base = f"/manage/events/{event_id}"
    answers = [client.get(base + path) for path in
               ("/registrations", "/registrations.csv", "/checkin?q=a", "/outbox?state=sent")]
    assert [answer.status_code for answer in answers] == [200] * 4
    return "\n".join(answer.get_data(as_text=True) for answer in answers)


def _database_text(event_id: int) -> str:
    """The event's registration, attempt and email rows, as text."""
    rows = [
        *db.session.execute(sa.select(Registration.__table__).where(Registration.event_id == event_id)),
        *db.session.execute(sa.select(RegistrationAttempt.__table__)
                            .where(RegistrationAttempt.event_id == event_id)),
        *db.session.execute(sa.select(OutboundEmail.__table__).where(OutboundEmail.event_id == event_id)),
    ]
    return "\n".join(repr(tuple(row)) for row in rows)


@both_databases
def test_beat_anonymises_an_event_once_its_day_has_come_and_keeps_its_figures(app, client):
    story = ended_conference(anonymise_after_days=3)
    event = db.session.get(Event, story.event_id)
    later = ended_conference(anonymise_after_days=30)  # over, but its day is far off
    make_organiser(ORGANISER, event, db.session.get(Event, later.event_id))
    sign_in(client, ORGANISER)
    ended(event, timedelta(days=2, hours=23))
    ended(db.session.get(Event, later.event_id), timedelta(days=5))
    before, later_before = figures(story.event_id), figures(later.event_id)
    assert before["confirmed"] == 2 and before["waitlisted"] == 1
    for text in PERSONAL:
        assert text in _database_text(story.event_id), text
    assert "Olena Shevchenko" in _pages(client, story.event_id)
    assert client.get(f"/r/{story.old_tokens[0]}").status_code == 200
    assert EmailState.sent in sent_states(story.event_id)

    tasks.anonymise_due_events.apply()  # three days are not over yet
    db.session.expire_all()
    assert db.session.get(Event, story.event_id).anonymised_at is None
    assert "Olena Shevchenko" in _pages(client, story.event_id)

    ended(event, timedelta(days=3, minutes=1))
    tasks.anonymise_due_events.apply()

    db.session.expire_all()
    assert db.session.get(Event, story.event_id).anonymised_at is not None
    stored = _database_text(story.event_id)
    pages = _pages(client, story.event_id)
    for text in PERSONAL:
        assert text not in stored, text
        assert text not in pages, text
    registrations = list(db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id)))
    assert {r.name for r in registrations} == {services.ANONYMISED_NAME}
    assert {r.affiliation for r in registrations} == {""} and all(r.answers == {} for r in registrations)
    assert len({r.email for r in registrations}) == 4
    assert all(r.email.endswith("@anonymised.invalid") for r in registrations)
    assert figures(story.event_id) == before
    for token in story.old_tokens:
        assert client.get(f"/r/{token}").status_code == 404
    emails = list(db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.event_id == event.id)))
    assert {e.recipient for e in emails} == {"erased@erased.invalid"}
    assert all(e.text_body is None and e.html_body is None for e in emails)
    assert db.session.get(OutboundEmail, story.queued_email_id).state is EmailState.cancelled
    outbox.resend(story.queued_email_id)  # an erased email is never sent again, even by hand
    db.session.expire_all()
    assert db.session.get(OutboundEmail, story.queued_email_id).state is EmailState.cancelled
    overview = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert "The registrations were anonymised on" in overview and "time (GMT+08:00)" in overview

    states = sent_states(story.event_id)
    tokens = list(db.session.scalars(sa.select(Registration.token).where(Registration.event_id == event.id)))
    result = client.application.test_cli_runner().invoke(args=["tick"])
    assert "0 events anonymised" in result.output, result.output
    db.session.expire_all()
    assert services.anonymise_event(event.id) is None  # already done: nothing happens
    assert sent_states(story.event_id) == states
    assert list(db.session.scalars(sa.select(Registration.token)
                                   .where(Registration.event_id == event.id))) == tokens
    assert figures(story.event_id) == before

    assert db.session.get(Event, later.event_id).anonymised_at is None
    assert figures(later.event_id) == later_before
    assert "Olena Shevchenko" in _database_text(later.event_id)


def test_an_event_without_a_retention_time_is_never_anonymised_by_beat(app):
    story = ended_conference(anonymise_after_days=None)
    ended(db.session.get(Event, story.event_id), timedelta(days=4000))
    assert services.due_for_anonymising() == []
    assert services.anonymise_due_events() == 0
    assert "Olena Shevchenko" in _database_text(story.event_id)


def test_other_domains_erasers_run_in_the_same_transaction_and_a_failing_one_writes_nothing(app):
    story = ended_conference()
    ended(db.session.get(Event, story.event_id), timedelta(days=1))
    seen = []

    def erase_passports(event_id: int) -> None:
        seen.append((event_id, db.session.get(Event, event_id).anonymised_at is not None))
        raise RuntimeError("the visa table is locked")

    register_eraser(erase_passports)
    try:
        try:
            services.anonymise_event(story.event_id)
        except RuntimeError:
            pass
        else:
            raise AssertionError("the eraser's failure must reach the caller")
    finally:
        forget_eraser(erase_passports)
    assert seen == [(story.event_id, True)]
    db.session.expire_all()
    assert db.session.get(Event, story.event_id).anonymised_at is None
    assert "Olena Shevchenko" in _database_text(story.event_id)
    assert services.anonymise_event(story.event_id) == 4
