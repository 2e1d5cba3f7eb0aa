"""Moving or cancelling a published event tells its registrants, and the calendars they imported follow."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from eventsys.database import db, utcnow
from eventsys.events.models import EventMode
from eventsys.registration import handling, services
from eventsys.reminders.services import queue_due_reminders
from eventsys.timezones import in_zone
from tests.conftest import both_databases
from tests.events.test_manage_events import _form_of, _local, _signed_in
from tests.factories import applicant, make_event

pytestmark = pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")

DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _calendar_of(message) -> Calendar:
    [attachment] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    return Calendar.from_ical(attachment.get_content())


def _main_entry(calendar: Calendar):
    return next(entry for entry in calendar.walk("VEVENT") if str(entry["uid"]).startswith("event-"))


def _web_calendar(client, event, **headers) -> Calendar:
    response = client.get(f"/events/{event.slug}.ics", headers=headers)
    assert response.status_code == 200
    return Calendar.from_ical(response.data)


def _event(**overrides):
    starts_at = overrides.pop("starts_at", utcnow().replace(second=0, microsecond=0) + 30 * DAY)
    return make_event(starts_at=starts_at, ends_at=starts_at + 2 * HOUR, **overrides)


def _move(client, token, event, by: timedelta):
    """The organiser moves the event by editing its times on the edit page."""
    times = {name: _local(getattr(event, name) + by, event) for name in ("starts_at", "ends_at")}
    answer = client.post(f"/manage/events/{event.id}/edit", data=_form_of(event, token, **times))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    db.session.refresh(event)


@both_databases
def test_moving_an_event_tells_everyone_registered_with_old_and_new_time_and_an_updated_calendar(
        app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event(title="Lecture on Orbital Debris", capacity=1, requires_approval=True)
    seated, waiting, pending, gone = (services.register(event, applicant(n)) for n in range(1, 5))
    handling.approve(event.id, seated.id)
    handling.approve(event.id, waiting.id)  # no seat left: the waiting list
    handling.approve(event.id, gone.id)
    services.cancel_registration(gone.id)
    _user, token = _signed_in(client, event)
    before = _main_entry(_web_calendar(client, event))
    old_start, old_end = event.starts_at, event.ends_at
    smtp_sink.messages.clear()

    _move(client, token, event, by=DAY + 2 * HOUR)

    assert sorted(smtp_sink.recipients()) == [f"attendee{n}@example.org" for n in (1, 2, 3)]
    after = _main_entry(_web_calendar(client, event))
    for number in (1, 2, 3):
        [message] = smtp_sink.to(f"attendee{number}@example.org")
        assert message["Subject"] == f"Moved to a new time: {event.title}"
        text = _text(message)
        assert f"was: {in_zone(old_start, event.timezone)}" in text
        assert f"now: {in_zone(event.starts_at, event.timezone)}" in text
        assert f"until {in_zone(event.ends_at, event.timezone)}" in text
        assert in_zone(old_end, event.timezone) in text
        emailed = _calendar_of(message)
        entry = _main_entry(emailed)
        assert str(emailed["method"]) == "PUBLISH"
        assert entry.decoded("dtstart") == event.starts_at == old_start + DAY + 2 * HOUR
        assert entry.decoded("dtend") == event.ends_at
        assert str(entry["uid"]) == str(before["uid"]) == str(after["uid"]) == f"event-{event.id}@events.test"
        assert int(entry["sequence"]) > int(before.get("sequence", 0))
        assert int(entry["sequence"]) == int(after["sequence"])

    # A second move is news of its own: one more email each, with a higher sequence still.
    _move(client, token, event, by=HOUR)
    assert len(smtp_sink.to("attendee1@example.org")) == 2
    second = _main_entry(_calendar_of(smtp_sink.to("attendee1@example.org")[-1]))
    assert int(second["sequence"]) > int(after["sequence"])

    # Other edits are no move: nobody is written to.
    answer = client.post(f"/manage/events/{event.id}/edit", data=_form_of(event, token, title="New title"))
    assert answer.status_code == 303
    assert len(smtp_sink.messages) == 6


def test_moving_a_draft_writes_to_nobody(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event(status="draft")
    _user, token = _signed_in(client, event)
    _move(client, token, event, by=DAY)
    assert smtp_sink.messages == []


@both_databases
def test_the_day_before_reminder_sent_for_the_old_start_is_sent_again_for_the_new_one_once(
        app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event()
    old_start = event.starts_at
    services.register(event, applicant(1))
    assert queue_due_reminders(now=old_start - DAY) == 1
    _user, token = _signed_in(client, event)

    _move(client, token, event, by=2 * HOUR)
    new_start = event.starts_at
    assert queue_due_reminders(now=old_start - DAY + MINUTE) == 0, "the week reminder does not come back"
    assert queue_due_reminders(now=new_start - DAY - MINUTE) == 0
    assert queue_due_reminders(now=new_start - DAY) == 1
    for later in (MINUTE, HOUR, 12 * HOUR):
        assert queue_due_reminders(now=new_start - DAY + later) == 0

    subjects = [m["Subject"] for m in smtp_sink.to("attendee1@example.org")]
    reminder = f"Reminder: {event.title} starts in 1 day"
    assert subjects == [f"Registration confirmed: {event.title}", reminder,
                        f"Moved to a new time: {event.title}", reminder]
    assert in_zone(new_start, event.timezone) in _text(smtp_sink.to("attendee1@example.org")[-1])

    # Moved back to the start already reminded of: that reminder is not sent a second time.
    _move(client, token, event, by=-2 * HOUR)
    assert event.starts_at == old_start
    assert queue_due_reminders(now=new_start - DAY + 13 * HOUR) == 0
    assert [m["Subject"] for m in smtp_sink.to("attendee1@example.org")].count(reminder) == 2


def test_moved_a_little_within_the_last_day_the_day_reminder_comes_again_at_once(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event()
    old_start = event.starts_at
    services.register(event, applicant(1))
    assert queue_due_reminders(now=old_start - 20 * HOUR) == 1
    _user, token = _signed_in(client, event)
    _move(client, token, event, by=3 * HOUR)
    assert queue_due_reminders(now=old_start - 20 * HOUR + MINUTE) == 1
    assert queue_due_reminders(now=old_start - 20 * HOUR + 2 * MINUTE) == 0
    reminders = [m for m in smtp_sink.to("attendee1@example.org") if m["Subject"].startswith("Reminder:")]
    assert [m["Subject"] for m in reminders] == [f"Reminder: {event.title} starts in 1 day"] * 2
    assert in_zone(event.starts_at, event.timezone) in _text(reminders[-1])


def test_a_move_withdraws_a_reminder_queued_for_the_old_start_and_not_sent_yet(app, client, smtp_sink):
    from eventsys.mail import outbox

    app.config.update(smtp_sink.config())
    event = _event()
    services.register(event, applicant(1))
    real_dispatch = outbox.dispatch
    outbox.dispatch = lambda ids: None  # the worker is slow today: the reminder waits in the outbox
    try:
        assert queue_due_reminders(now=event.starts_at - DAY) == 1
    finally:
        outbox.dispatch = real_dispatch
    _user, token = _signed_in(client, event)
    _move(client, token, event, by=7 * DAY)
    outbox.sweep(now=utcnow() + HOUR)
    subjects = [m["Subject"] for m in smtp_sink.to("attendee1@example.org")]
    assert subjects == [f"Registration confirmed: {event.title}", f"Moved to a new time: {event.title}"], \
        "no 'starts in 1 day' a week early"


def test_the_web_calendar_s_uid_comes_from_base_url_not_from_the_request(app, client):
    event = _event(mode=EventMode.online, venue="")
    honest = _main_entry(_web_calendar(client, event))
    forged = _main_entry(_web_calendar(client, event, Host="attacker.example"))
    assert str(honest["uid"]) == str(forged["uid"]) == f"event-{event.id}@events.test"
    app.config["BASE_URL"] = "https://events.university.example:8443/portal"
    moved_site = _main_entry(_web_calendar(client, event))
    assert str(moved_site["uid"]) == f"event-{event.id}@events.university.example"


@both_databases
def test_cancelling_sends_a_calendar_cancellation_with_the_same_uid(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    event = _event(capacity=1)
    services.register(event, applicant(1))
    services.register(event, applicant(2))  # waiting
    web = _main_entry(_web_calendar(client, event))
    [confirmation] = smtp_sink.to("attendee1@example.org")
    confirmed = _main_entry(_calendar_of(confirmation))
    _user, token = _signed_in(client, event)

    answer = client.post(f"/manage/events/{event.id}/cancel",
                         data={"csrf_token": token, "reason": "The speaker is ill."})
    assert answer.status_code == 303
    for number in (1, 2):
        [notice] = smtp_sink.to(f"attendee{number}@example.org")[-1:]
        assert notice["Subject"] == f"Cancelled: {event.title}"
        calendar = _calendar_of(notice)
        assert str(calendar["method"]) == "CANCEL"
        entry = _main_entry(calendar)
        assert str(entry["status"]) == "CANCELLED"
        assert str(entry["uid"]) == str(web["uid"]) == str(confirmed["uid"])
        assert int(entry["sequence"]) > int(confirmed.get("sequence", 0))
        [part] = [p for p in notice.iter_attachments() if p.get_content_type() == "text/calendar"]
        assert part.get_param("method") == "CANCEL", "mail clients read the method from the header too"
