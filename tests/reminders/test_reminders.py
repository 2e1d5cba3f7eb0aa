"""Reminders before an event, told from what the SMTP server received as the clock moves on."""

import logging
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.config import BEAT_SCHEDULE
from eventsys.database import db, utcnow
from eventsys.events.lifecycle import cancel_event
from eventsys.events.models import Event, EventMode, EventStatus
from eventsys.mail import outbox
from eventsys.registration import services
from eventsys.registration.models import Registration
from eventsys.reminders import services as reminder_services
from eventsys.reminders.models import ReminderRun
from eventsys.reminders.services import queue_due_reminders, reminder_offsets, starts_in
from eventsys.timezones import in_zone
from tests.conftest import both_databases
from tests.factories import applicant, make_event

pytestmark = pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")

DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
SECRET_LINK = "https://meet.example.org/secret-room?pwd=1&x=2"


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def _reminders(sink, address: str | None = None) -> list[str]:
    """Subjects of the reminders received, for one address or for everyone."""
    messages = sink.to(address) if address else list(sink.messages)
    return [m["Subject"] for m in messages if m["Subject"].startswith("Reminder:")]


def _event(**overrides) -> Event:
    """An event starting in 30 days (whole minutes), lasting two hours."""
    starts_at = overrides.pop("starts_at", utcnow().replace(second=0, microsecond=0) + 30 * DAY)
    return make_event(starts_at=starts_at, ends_at=starts_at + 2 * HOUR, **overrides)


def _runs() -> list[tuple[int, int]]:
    return list(db.session.execute(
        sa.select(ReminderRun.offset_minutes, ReminderRun.queued).order_by(ReminderRun.id)
    ))


def test_offsets_default_to_a_week_and_a_day_plus_an_hour_online_and_read_like_english(app):
    assert reminder_offsets(Event(mode=EventMode.in_person)) == [10080, 1440]
    assert reminder_offsets(Event(mode=EventMode.hybrid)) == [10080, 1440, 60]
    assert reminder_offsets(Event(mode=EventMode.online, reminder_offsets=[30, 2880, 30, -5])) == [2880, 30]
    assert reminder_offsets(Event(mode=EventMode.online, reminder_offsets=[])) == []
    assert [starts_in(m) for m in (10080, 1440, 2880, 60, 120, 90, 30, 1)] == [
        "7 days", "1 day", "2 days", "1 hour", "2 hours", "90 minutes", "30 minutes", "1 minute"]


@both_databases
def test_each_registrant_gets_each_default_reminder_once_and_none_early(app, smtp_sink):
    app.config.update(smtp_sink.config())
    venue = _event(title="Forum on Space Law")
    online = _event(title="Lecture on Orbits", mode=EventMode.online, meeting_url=SECRET_LINK)
    start = venue.starts_at
    for event, first in ((venue, 1), (online, 3)):
        for n in (first, first + 1):
            services.register(event, applicant(n))

    assert queue_due_reminders(now=start - 7 * DAY - MINUTE) == 0
    assert _reminders(smtp_sink) == []
    assert queue_due_reminders(now=start - 7 * DAY) == 4
    for _ in range(3):
        assert queue_due_reminders(now=start - 7 * DAY + 5 * MINUTE) == 0
    assert queue_due_reminders(now=start - DAY) == 4
    assert queue_due_reminders(now=start - DAY + MINUTE) == 0
    assert queue_due_reminders(now=start - HOUR) == 2
    assert queue_due_reminders(now=start - HOUR + MINUTE) == 0
    assert queue_due_reminders(now=start) == 0, "a started event is reminded of no more"

    for n in (1, 2):
        assert _reminders(smtp_sink, f"attendee{n}@example.org") == [
            "Reminder: Forum on Space Law starts in 7 days",
            "Reminder: Forum on Space Law starts in 1 day",
        ]
    for n in (3, 4):
        assert _reminders(smtp_sink, f"attendee{n}@example.org") == [
            "Reminder: Lecture on Orbits starts in 7 days",
            "Reminder: Lecture on Orbits starts in 1 day",
            "Reminder: Lecture on Orbits starts in 1 hour",
        ]
    [message] = smtp_sink.to("attendee1@example.org")[-1:]
    registration = db.session.scalars(sa.select(Registration).filter_by(email="attendee1@example.org")).one()
    assert f"http://events.test/r/{registration.token}" in _text(message)
    assert f"http://events.test/events/{venue.slug}" in _text(message)


@both_databases
def test_after_a_pause_of_beat_only_the_latest_due_reminder_is_sent(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event(title="Competition of Satellites")
    services.register(event, applicant(1))
    assert queue_due_reminders(now=event.starts_at - DAY + HOUR) == 1
    assert _reminders(smtp_sink) == ["Reminder: Competition of Satellites starts in 1 day"]
    assert sorted(_runs()) == [(1440, 1), (10080, 0)], "the stale week reminder is recorded as skipped"
    assert queue_due_reminders(now=event.starts_at - DAY + 2 * HOUR) == 0


@both_databases
def test_only_the_last_hour_reminder_of_an_online_event_gives_the_meeting_link(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event(mode=EventMode.hybrid, meeting_url=SECRET_LINK)
    services.register(event, applicant(1))
    queue_due_reminders(now=event.starts_at - DAY)
    queue_due_reminders(now=event.starts_at - HOUR)

    confirmation, day_before, hour_before = smtp_sink.to("attendee1@example.org")
    assert hour_before["Subject"] == f"Reminder: {event.title} starts in 1 hour"
    assert f"Join online: {SECRET_LINK}" in _text(hour_before)
    html = _html(hour_before)
    assert '<a href="https://meet.example.org/secret-room?pwd=1&amp;x=2">' in html, "escaped, not raw"
    for message in (confirmation, day_before):
        assert "secret-room" not in _text(message) and "secret-room" not in _html(message)
        assert "Join online" not in _text(message)


def test_custom_offsets_replace_the_defaults_and_the_last_hour_ones_carry_the_link(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event(mode=EventMode.online, meeting_url=SECRET_LINK, reminder_offsets=[2880, 30])
    services.register(event, applicant(1))
    for moment in (7 * DAY, 2 * DAY, DAY, HOUR, 30 * MINUTE):
        queue_due_reminders(now=event.starts_at - moment)
    first, last = smtp_sink.to("attendee1@example.org")[1:]
    assert first["Subject"].endswith("starts in 2 days") and "secret-room" not in _text(first)
    assert last["Subject"].endswith("starts in 30 minutes") and SECRET_LINK in _text(last)


@both_databases
def test_no_reminder_whose_time_had_passed_before_someone_got_their_seat(app, smtp_sink):
    app.config.update(smtp_sink.config())
    full = _event(capacity=1)
    start = full.starts_at
    open_ = _event(starts_at=start, capacity=None)
    leaving = services.register(full, applicant(1))
    services.register(full, applicant(2))  # waiting list, number 1
    services.register(open_, applicant(3))
    # Beat is a little late: a seat changes hands, and someone registers, after the week reminder's time.
    services.cancel_registration(leaving.id, now=start - 7 * DAY + MINUTE)
    services.register(open_, applicant(4, email="late@example.org"), now=start - 7 * DAY + 2 * MINUTE)

    assert queue_due_reminders(now=start - 7 * DAY + 10 * MINUTE) == 1
    assert queue_due_reminders(now=start - DAY) == 3

    week, day = "Reminder: {} starts in 7 days", "Reminder: {} starts in 1 day"
    assert _reminders(smtp_sink, "attendee1@example.org") == [], "cancelled before beat came"
    assert _reminders(smtp_sink, "attendee2@example.org") == [day.format(full.title)], "promoted late"
    assert _reminders(smtp_sink, "attendee3@example.org") == [
        week.format(open_.title), day.format(open_.title)]
    assert _reminders(smtp_sink, "late@example.org") == [day.format(open_.title)], "registered late"


@both_databases
def test_moving_the_event_later_reminds_again_before_the_new_start_never_twice_for_one_start(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event()
    old_start = event.starts_at
    services.register(event, applicant(1))
    assert queue_due_reminders(now=old_start - 7 * DAY) == 1

    new_start = old_start + 3 * DAY
    event.starts_at, event.ends_at = new_start, new_start + 2 * HOUR
    db.session.commit()
    assert queue_due_reminders(now=new_start - 7 * DAY) == 1, "the week reminder again, for the new start"
    assert queue_due_reminders(now=old_start - DAY) == 0, "the old day-before time means nothing now"
    assert queue_due_reminders(now=new_start - DAY - MINUTE) == 0
    assert queue_due_reminders(now=new_start - DAY) == 1

    assert _reminders(smtp_sink, "attendee1@example.org") == [
        f"Reminder: {event.title} starts in 7 days",
        f"Reminder: {event.title} starts in 7 days",
        f"Reminder: {event.title} starts in 1 day",
    ]
    [day_before] = smtp_sink.to("attendee1@example.org")[-1:]
    assert in_zone(new_start, "Asia/Shanghai") in _text(day_before)

    event.starts_at, event.ends_at = old_start, old_start + 2 * HOUR
    db.session.commit()
    assert queue_due_reminders(now=new_start - DAY + HOUR) == 0, "back to a start already reminded of"


@both_databases
def test_a_reminder_left_with_under_half_its_time_is_skipped_unless_it_is_the_last(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event()
    services.register(event, applicant(1))
    # Beat was down for days: the week reminder, 3 days before, would come a day before the day one.
    assert queue_due_reminders(now=event.starts_at - 3 * DAY) == 0
    assert sorted(_runs()) == [(10080, 0)]
    # The last reminder goes whatever is left, saying how much.
    assert queue_due_reminders(now=event.starts_at - 5 * HOUR) == 1
    assert _reminders(smtp_sink) == [f"Reminder: {event.title} starts in 5 hours"]
    late = _event(starts_at=event.starts_at + DAY)
    services.register(late, applicant(2))
    assert queue_due_reminders(now=late.starts_at - 4 * DAY) == 1
    assert _reminders(smtp_sink, "attendee2@example.org") == [f"Reminder: {late.title} starts in 4 days"]


@both_databases
def test_cancelled_events_and_cancelled_or_waiting_registrations_get_no_reminder(app, smtp_sink):
    app.config.update(smtp_sink.config())
    cancelled = _event()
    draft = _event(status=EventStatus.draft)
    full = _event(capacity=1)
    services.register(cancelled, applicant(1))
    services.register(full, applicant(2))
    services.register(full, applicant(3))  # waiting
    changed_mind = services.register(full, applicant(4))  # waiting, then cancels
    services.cancel_registration(changed_mind.id)
    cancel_event(cancelled.id)
    db.session.add(Registration(  # a draft takes no registrations; one made by hand is still not reminded
        event_id=draft.id, name="Draft Person", email="draft@example.org", country="CN", category="other",
        status="confirmed", token="draft-token", created_at=utcnow(), consented_at=utcnow(),
    ))
    db.session.commit()

    assert queue_due_reminders(now=full.starts_at - DAY) == 1
    assert _reminders(smtp_sink) == [f"Reminder: {full.title} starts in 1 day"]
    assert smtp_sink.to("attendee2@example.org")[-1]["Subject"].startswith("Reminder:")


@both_databases
def test_two_beat_processes_at_once_send_each_reminder_exactly_once(app, smtp_sink, monkeypatch, caplog):
    app.config.update(smtp_sink.config())
    event = _event(capacity=None)
    earlier = utcnow()
    # Registered directly: what is tested is the reminder, not 200 confirmations.
    db.session.execute(sa.insert(Registration), [
        dict(event_id=event.id, name=f"Attendee {n}", email=f"attendee{n}@example.org", country="CN",
             category="student", status="confirmed", token=f"token-{n}", created_at=earlier,
             consented_at=earlier)
        for n in range(200)
    ])
    db.session.commit()
    week_before = event.starts_at - 7 * DAY  # read here: the threads must not touch this session
    both_have_read = threading.Barrier(2, timeout=30)
    seen, results, errors = [], [], []
    read_due = reminder_services._due_reminders

    def read_then_wait(now):
        """Let both beats find the reminder due before either writes: the race, every time."""
        due = read_due(now)
        seen.append(len(due))
        both_have_read.wait()
        return due

    monkeypatch.setattr(reminder_services, "_due_reminders", read_then_wait)
    # Alembic's fileConfig disabled the loggers that existed when the test database was migrated.
    monkeypatch.setattr(reminder_services.log, "disabled", False)

    def beat() -> None:
        with app.app_context():
            try:
                results.append(queue_due_reminders(now=week_before))
            except Exception as problem:  # surfaced by the assertion below
                errors.append(problem)

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert seen == [1, 1], "both beats saw the reminder due"
    assert errors == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert sorted(results) == [0, 200]
    recipients = [m["To"] for m in smtp_sink.messages]
    assert len(recipients) == 200 and len(set(recipients)) == 200
    assert _runs() == [(10080, 200)]


def test_queueing_costs_the_same_statements_for_one_registrant_as_for_many(app, monkeypatch):
    monkeypatch.setattr(outbox, "dispatch", lambda ids: None)  # count our statements, not delivery's
    one = _event()
    many = _event(starts_at=one.starts_at + DAY)
    services.register(one, applicant(1))
    for n in range(2, 12):
        services.register(many, applicant(n))
    statements = []

    def count(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert queue_due_reminders(now=one.starts_at - 7 * DAY) == 1
        for_one = len(statements)
        statements.clear()
        assert queue_due_reminders(now=many.starts_at - 7 * DAY) == 10
        for_many = len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert for_one == for_many
    assert sum("INSERT INTO outbound_email" in s for s in statements) == 1, "one INSERT ... SELECT"


@both_databases
def test_times_are_shown_in_the_event_timezone_in_the_registrant_language(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event(timezone="Asia/Shanghai")
    services.register(event, applicant(1, locale="ru"))
    queue_due_reminders(now=event.starts_at - DAY)
    [reminder] = smtp_sink.to("attendee1@example.org")[1:]
    text, html = _text(reminder), _html(reminder)
    assert "(Пекин, GMT+08:00)" in text
    assert in_zone(event.starts_at, "Asia/Shanghai", "ru") in text
    assert in_zone(event.starts_at, "Asia/Shanghai", "ru") in html


def test_beat_runs_the_reminders_every_minute(app):
    from eventsys.reminders import tasks

    schedule = app.extensions["celery"].conf.beat_schedule
    expected = {"task": "eventsys.reminders.queue_due_reminders", "schedule": 60.0}
    assert schedule["queue-due-reminders"] == BEAT_SCHEDULE["queue-due-reminders"] == expected
    assert tasks.queue_due_reminders_task.name in app.extensions["celery"].tasks


def test_flask_tick_and_the_beat_task_queue_the_reminders_that_are_due_now(app, runner, smtp_sink):
    from eventsys.reminders import tasks

    app.config.update(smtp_sink.config())
    soon = _event(starts_at=utcnow().replace(microsecond=0) + DAY - MINUTE)
    later = _event(starts_at=utcnow().replace(microsecond=0) + 7 * DAY + HOUR)
    services.register(soon, applicant(1), now=utcnow() - 10 * DAY)
    services.register(later, applicant(2), now=utcnow() - 10 * DAY)

    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "1 reminders queued" in result.output
    assert _reminders(smtp_sink) == [f"Reminder: {soon.title} starts in 1 day"]
    assert runner.invoke(args=["tick"]).output.startswith("0 reminders queued")

    later.starts_at = utcnow().replace(microsecond=0) + DAY - MINUTE
    later.ends_at = later.starts_at + 2 * HOUR
    db.session.commit()
    tasks.queue_due_reminders_task.delay()  # eager in tests: runs here, as the worker would
    assert _reminders(smtp_sink, "attendee2@example.org") == [f"Reminder: {later.title} starts in 1 day"]

