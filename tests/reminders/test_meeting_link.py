"""An online event's meeting link reaches each confirmed attendee once, whenever they got their seat."""

from datetime import timedelta

import pytest

from eventsys.database import utcnow
from eventsys.events.models import Event, EventMode
from eventsys.registration import handling, services
from eventsys.reminders.services import queue_due_reminders
from tests.conftest import both_databases
from tests.factories import applicant, make_event

pytestmark = pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")

DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
SECRET_LINK = "https://meet.example.org/secret-room?pwd=1"


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def _with_link(sink, address: str) -> list[str]:
    """Subjects of the messages to address that give the meeting link."""
    return [m["Subject"] for m in sink.to(address) if SECRET_LINK in _text(m)]


def _this_minute():
    return utcnow().replace(second=0, microsecond=0)


def _online_lecture(**overrides) -> Event:
    """An online lecture lasting two hours, with a meeting link; in 3 days unless starts_at says.

    Emails leave no earlier than the time they are queued at, so a test that wants them delivered
    lets people register at moments that have already come.
    """
    starts_at = overrides.pop("starts_at", utcnow().replace(second=0, microsecond=0) + 3 * DAY)
    values = dict(title="Lecture on Orbits", mode=EventMode.online, venue="", meeting_url=SECRET_LINK,
                  starts_at=starts_at, ends_at=starts_at + 2 * HOUR)
    return make_event(**(values | overrides))


@both_databases
def test_someone_registering_59_minutes_before_the_start_gets_the_link_at_once_and_once(app, smtp_sink):
    app.config.update(smtp_sink.config())
    # Starting 59 minutes after the current minute began: registering now is registering 59 minutes before.
    event = _online_lecture(starts_at=_this_minute() + 59 * MINUTE)
    start = event.starts_at
    services.register(event, applicant(1), now=start - 2 * DAY)
    assert queue_due_reminders(now=start - HOUR) == 1, "the last reminder, with the link, to the registrant"

    services.register(event, applicant(2, email="late@example.org"), now=start - 59 * MINUTE)
    [confirmation] = smtp_sink.to("late@example.org")
    assert f"Join online: {SECRET_LINK}" in _text(confirmation), "no waiting for a reminder that has gone"
    assert SECRET_LINK in _html(confirmation)
    assert "comes by email" not in _text(confirmation)

    for minutes in (58, 30, 1):
        assert queue_due_reminders(now=start - minutes * MINUTE) == 0
    assert len(_with_link(smtp_sink, "late@example.org")) == 1
    assert _with_link(smtp_sink, "attendee1@example.org") == [f"Reminder: {event.title} starts in 1 hour"]


@both_databases
def test_a_late_registrant_before_a_late_beat_gets_the_link_once_too(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _online_lecture(starts_at=_this_minute() + 59 * MINUTE)
    start = event.starts_at
    services.register(event, applicant(1), now=start - 2 * DAY)
    # Beat has not yet sent the hour reminder when the late registrant comes.
    services.register(event, applicant(2, email="late@example.org"), now=start - 59 * MINUTE)
    assert queue_due_reminders(now=start - 58 * MINUTE) == 1
    assert _with_link(smtp_sink, "late@example.org") == [f"Registration confirmed: {event.title}"]
    assert _with_link(smtp_sink, "attendee1@example.org") == [f"Reminder: {event.title} starts in 1 hour"]


@both_databases
def test_someone_promoted_or_approved_after_the_last_reminder_gets_the_link_with_their_seat(app, smtp_sink):
    app.config.update(smtp_sink.config())
    full = _online_lecture(capacity=1, starts_at=_this_minute() + 10 * MINUTE)
    approval = _online_lecture(starts_at=full.starts_at, title="Seminar on Tides", requires_approval=True)
    start = full.starts_at
    leaving = services.register(full, applicant(1), now=start - 2 * DAY)
    services.register(full, applicant(2, email="waiting@example.org"), now=start - 2 * DAY)
    pending = services.register(approval, applicant(3, email="pending@example.org"), now=start - 2 * DAY)
    assert queue_due_reminders(now=start - HOUR) == 1

    # Ten minutes before the start, after the hour reminder: a seat frees up, an organiser approves.
    services.cancel_registration(leaving.id)
    handling.approve(approval.id, pending.id)
    assert queue_due_reminders(now=start - 5 * MINUTE) == 0

    assert _with_link(smtp_sink, "waiting@example.org") == [f"A seat is yours: {full.title}"]
    assert _with_link(smtp_sink, "pending@example.org") == [f"Registration confirmed: {approval.title}"]


@both_databases
def test_with_reminders_a_day_and_two_hours_before_the_two_hour_one_carries_the_link(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _online_lecture(mode=EventMode.hybrid, venue="Room 305", reminder_offsets=[1440, 120])
    services.register(event, applicant(1))
    [confirmation] = smtp_sink.to("attendee1@example.org")
    assert SECRET_LINK not in _text(confirmation)
    assert "the meeting link comes by email with the last reminder, 2 hours before the start" \
        in _text(confirmation)

    for moment in (DAY, 2 * HOUR, HOUR):
        queue_due_reminders(now=event.starts_at - moment)
    day_before, two_hours_before = smtp_sink.to("attendee1@example.org")[1:]
    assert day_before["Subject"].endswith("starts in 1 day")
    assert SECRET_LINK not in _text(day_before) and SECRET_LINK not in _html(day_before)
    assert two_hours_before["Subject"].endswith("starts in 2 hours")
    assert f"Join online: {SECRET_LINK}" in _text(two_hours_before)
    assert SECRET_LINK in _html(two_hours_before)


def test_an_online_event_without_reminders_gives_the_link_in_the_confirmation(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _online_lecture(reminder_offsets=[])
    services.register(event, applicant(1))
    [confirmation] = smtp_sink.to("attendee1@example.org")
    assert f"Join online: {SECRET_LINK}" in _text(confirmation)


def test_an_online_only_confirmation_speaks_of_no_entrance_and_an_in_person_one_does(app, smtp_sink):
    app.config.update(smtp_sink.config())
    online = _online_lecture()
    in_person = make_event(title="Forum on Space Law")
    services.register(online, applicant(1))
    services.register(in_person, applicant(2))
    [online_confirmation] = smtp_sink.to("attendee1@example.org")
    [in_person_confirmation] = smtp_sink.to("attendee2@example.org")
    for part in (_text(online_confirmation), _html(online_confirmation)):
        assert "entrance" not in part and "check-in code" not in part.lower()
    assert "the meeting link comes by email with the last reminder, 1 hour before the start" \
        in _text(online_confirmation)
    assert "Show it at the entrance" in _text(in_person_confirmation)
    assert "meeting link" not in _text(in_person_confirmation)


@both_databases
def test_an_event_moved_to_within_the_hour_gives_the_link_in_the_move_email_once(app, client, smtp_sink):
    from tests.events.test_rescheduling import _move, _signed_in

    app.config.update(smtp_sink.config())
    event = _online_lecture(mode=EventMode.hybrid, venue="Room 305")
    services.register(event, applicant(1))
    _user, token = _signed_in(client, event)
    # The hour reminder's time is already past for the new start, and it was never the registrant's.
    _move(client, token, event, by=_this_minute() + 30 * MINUTE - event.starts_at)
    [moved] = [m for m in smtp_sink.to("attendee1@example.org") if m["Subject"].startswith("Moved")]
    assert f"Join online: {SECRET_LINK}" in _text(moved)
    assert queue_due_reminders() == 0, "the hour reminder has nobody left to give the link to"
    assert len(_with_link(smtp_sink, "attendee1@example.org")) == 1
