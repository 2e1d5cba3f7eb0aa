"""Organisers create, edit, publish, cancel and duplicate events through the /manage/ pages."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsys.accounts.models import EventManager
from eventsys.database import db
from eventsys.events.manage_forms import format_offsets, parse_offsets
from eventsys.events.models import Event, EventStatus, ProgrammeItem
from eventsys.mail.models import OutboundEmail
from eventsys.registration import services
from eventsys.registration.models import QuestionKind, RegistrationStatus
from eventsys.speakers.models import Engagement, Speaker, SpeakerRole
from tests.conftest import both_databases
from tests.factories import add_question, applicant, csrf_token, make_event, make_organiser, sign_in
from tests.formpage import read_form


def _signed_in(client, *events, email="li.wei@example.org"):
    """Sign in as an organiser managing events; returns the CSRF token for posting."""
    user = make_organiser(email, *events)
    sign_in(client, email)
    return user, csrf_token(client, "/manage/")


def _event_form(token: str, **overrides) -> dict:
    """A complete, valid event form as a browser sends it (times are clock times in the chosen zone)."""
    data = {
        "csrf_token": token, "kind": "lecture", "mode": "hybrid", "title": "Lecture on Orbital Debris",
        "slug": "", "summary": "Where the junk goes.", "description": "Two hours on debris.",
        "timezone": "Asia/Shanghai", "starts_at": "2030-05-12T14:00", "ends_at": "2030-05-12T16:00",
        "venue": "Room 305", "meeting_url": "https://meet.example.org/debris", "capacity": "",
        "registration_opens_at": "", "registration_closes_at": "", "language": "en",
        "reminder_offsets": "7d, 1d, 1h",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def _local(moment: datetime, event: Event) -> str:
    """The instant as typed into a date-time input of the event's form."""
    return moment.astimezone(event.zone).strftime("%Y-%m-%dT%H:%M")


def _form_of(event: Event, token: str, **overrides) -> dict:
    """The edit form of the event as the page shows it, with some fields changed."""
    local = {name: _local(getattr(event, name), event) for name in ("starts_at", "ends_at")}
    values = dict(kind=event.kind.value, mode=event.mode.value, title=event.title, slug=event.slug,
                  summary=event.summary, timezone=event.timezone, venue=event.venue,
                  capacity="" if event.capacity is None else str(event.capacity),
                  reminder_offsets=format_offsets(event.reminder_offsets),
                  meeting_url=event.meeting_url or "", **local)
    return _event_form(token, **(values | overrides))


def _errors(answer) -> dict[str, list[str]]:
    return read_form(answer.get_data(as_text=True)).errors_by_field


def test_reminder_times_are_read_in_days_hours_and_minutes():
    assert parse_offsets("7d, 1 day, 1h, 30 min, 2 weeks") == [20160, 10080, 1440, 60, 30]
    assert parse_offsets("  ") is None and parse_offsets("none") == []
    assert format_offsets([10080, 1440, 90]) == "7d, 1d, 90m"
    with pytest.raises(ValueError, match="“soon” is not a time"):
        parse_offsets("7d, soon")


def test_a_new_event_shows_each_error_beside_its_field_saves_nothing_then_is_saved_as_a_draft(client):
    user, token = _signed_in(client)
    assert client.get("/manage/events/new").status_code == 200

    answer = client.post("/manage/events/new", data=_event_form(
        token, title="", capacity="many", starts_at="next tuesday", reminder_offsets="7d, soon"))
    assert answer.status_code == 422
    errors = _errors(answer)
    assert errors["title"] == ["Give the event a title."]
    assert errors["capacity"] == ["Enter a whole number of seats, or leave it blank for no limit."]
    assert errors["starts_at"] == ["Enter a date and time, like 2026-05-12 14:00."]
    assert "“soon” is not a time" in errors["reminder_offsets"][0]

    make_event(slug="lecture-on-orbital-debris")
    answer = client.post("/manage/events/new", data=_event_form(
        token, slug="lecture-on-orbital-debris", ends_at="2030-05-12T13:00",
        registration_closes_at="2030-05-13T10:00", meeting_url="meet.example.org"))
    assert answer.status_code == 422
    assert _errors(answer) == {
        "slug": ["Another event already uses /events/lecture-on-orbital-debris; choose another address."],
        "ends_at": ["The event cannot end before it starts."],
        "meeting_url": ["Give the full address, starting with https://."],
        "registration_closes_at": ["Registration cannot close after the event ends."],
    }
    answer = client.post("/manage/events/new", data=_event_form(token, slug="Debris Talk!"))
    assert _errors(answer)["slug"][0].startswith("Use lower-case letters")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1

    answer = client.post("/manage/events/new", data=_event_form(token))
    assert answer.status_code == 303
    event = db.session.scalars(sa.select(Event).order_by(Event.id.desc())).first()
    assert answer.location == f"/manage/events/{event.id}"
    # The title's address was taken, so the next free one is suggested.
    assert (event.slug, event.status) == ("lecture-on-orbital-debris-2", EventStatus.draft)
    assert event.starts_at == datetime(2030, 5, 12, 6, 0, tzinfo=UTC)  # 14:00 in Harbin
    assert (event.capacity, event.reminder_offsets) == (None, [10080, 1440, 60])
    assert db.session.get(EventManager, (event.id, user.id)) is not None
    page = client.get(answer.location).get_data(as_text=True)
    assert "is saved as a draft" in page and "Sun, 12 May 2030, 14:00 Beijing time (GMT+08:00)" in page


def test_a_clock_time_that_does_not_exist_in_the_zone_is_refused(client):
    _user, token = _signed_in(client)
    answer = client.post("/manage/events/new", data=_event_form(
        token, timezone="Europe/Berlin", starts_at="2030-03-31T02:30", ends_at="2030-03-31T05:00"))
    assert answer.status_code == 422
    assert _errors(answer) == {"starts_at": ["02:30 does not exist on 31 Mar 2030 in Berlin: "
                                             "the clocks skip it."]}


def test_a_draft_is_published_only_once_it_has_what_the_public_page_needs(client):
    event = make_event(status=EventStatus.draft, summary="", slug="draft-forum")
    _user, token = _signed_in(client, event)
    assert "Add a summary" in client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    answer = client.post(f"/manage/events/{event.id}/publish", data={"csrf_token": token})
    assert answer.status_code == 303
    assert "Not published yet. Add a summary" in client.get(answer.location).get_data(as_text=True)
    assert client.get("/events/draft-forum").status_code == 404

    answer = client.post(f"/manage/events/{event.id}/edit", data=_form_of(event, token, summary="A forum."))
    assert answer.status_code == 303
    client.post(f"/manage/events/{event.id}/publish", data={"csrf_token": token})
    db.session.refresh(event)
    assert event.status is EventStatus.published
    assert client.get("/events/draft-forum").status_code == 200


def test_capacity_cannot_drop_below_the_seats_already_taken(client):
    event = make_event(capacity=3)
    for number in range(1, 5):
        services.register(event, applicant(number))
    _user, token = _signed_in(client, event)
    db.session.refresh(event)
    answer = client.post(f"/manage/events/{event.id}/edit", data=_form_of(event, token, capacity="2"))
    assert answer.status_code == 422
    assert _errors(answer) == {"capacity": ["3 people already hold a seat; capacity cannot be lower than 3."]}
    db.session.refresh(event)
    assert (event.capacity, event.confirmed_count, event.waitlisted_count) == (3, 3, 1)


@both_databases
def test_raising_capacity_gives_the_new_seats_to_the_first_people_waiting(app, client):
    event = make_event(capacity=2)
    registrations = [services.register(event, applicant(number)) for number in range(1, 6)]
    _user, token = _signed_in(client, event)
    db.session.refresh(event)
    answer = client.post(f"/manage/events/{event.id}/edit", data=_form_of(event, token, capacity="4"))
    assert answer.status_code == 303
    assert "2 people moved up from the waiting list" in client.get(answer.location).get_data(as_text=True)

    for registration in registrations:
        db.session.refresh(registration)
    confirmed, waitlisted = RegistrationStatus.confirmed, RegistrationStatus.waitlisted
    assert [r.status for r in registrations] == [confirmed] * 4 + [waitlisted]
    promoted = set(db.session.scalars(
        sa.select(OutboundEmail.registration_id).where(OutboundEmail.kind == "registration_promoted")))
    assert promoted == {registrations[2].id, registrations[3].id}
    db.session.refresh(event)
    assert (event.capacity, event.confirmed_count, event.waitlisted_count) == (4, 4, 1)

    # No limit at all: the last one waiting gets a seat too.
    answer = client.post(f"/manage/events/{event.id}/edit", data=_form_of(event, token, capacity=""))
    db.session.refresh(registrations[4])
    assert registrations[4].status is RegistrationStatus.confirmed


def test_moving_the_start_moves_the_programme_and_shortening_past_it_is_refused(client):
    event = make_event()
    item = ProgrammeItem(event_id=event.id, title="Opening", starts_at=event.starts_at + timedelta(hours=1),
                         ends_at=event.ends_at - timedelta(hours=1))
    db.session.add(item)
    db.session.commit()
    _user, token = _signed_in(client, event)
    a_day = timedelta(days=1)
    later = {name: _local(getattr(event, name) + a_day, event) for name in ("starts_at", "ends_at")}
    answer = client.post(f"/manage/events/{event.id}/edit", data=_form_of(event, token, **later))
    assert answer.status_code == 303
    db.session.refresh(item)
    db.session.refresh(event)
    assert item.starts_at == event.starts_at + timedelta(hours=1)

    short = _local(event.starts_at + timedelta(hours=2), event)
    answer = client.post(f"/manage/events/{event.id}/edit", data=_form_of(event, token, ends_at=short))
    assert _errors(answer) == {
        "ends_at": ["1 programme item would end after this; shorten or delete it first."]}


def test_cancelling_asks_for_a_reason_then_tells_everyone_registered(client):
    event = make_event(capacity=1)
    registrations = [services.register(event, applicant(number)) for number in (1, 2)]
    _user, token = _signed_in(client, event)
    page = client.get(f"/manage/events/{event.id}/cancel").get_data(as_text=True)
    assert "2 people are registered, waiting or awaiting approval" in page

    answer = client.post(f"/manage/events/{event.id}/cancel",
                         data={"csrf_token": token, "reason": "The speaker is ill."})
    assert answer.status_code == 303
    db.session.refresh(event)
    assert event.status is EventStatus.cancelled
    notices = db.session.execute(sa.select(OutboundEmail.registration_id, OutboundEmail.context)
                                 .where(OutboundEmail.kind == "event_cancelled")).all()
    assert sorted(notices) == [(r.id, {"reason": "The speaker is ill."}) for r in registrations]

    answer = client.get(f"/manage/events/{event.id}/edit")
    assert answer.status_code == 303
    assert "can no longer be changed" in client.get(answer.location).get_data(as_text=True)
    answer = client.post(f"/manage/events/{event.id}/edit", data=_form_of(event, token, title="Revived"))
    db.session.refresh(event)
    assert answer.status_code == 303 and event.title != "Revived"


def test_duplicating_copies_details_questions_and_programme_into_a_new_draft(client):
    event = make_event(slug="debris-lecture", capacity=2, reminder_offsets=[60])
    session = add_question(event, QuestionKind.single_choice, "Which session?", True, ["A", "B"])
    add_question(event, QuestionKind.text, "Dietary needs")
    item = ProgrammeItem(event_id=event.id, title="Talk", starts_at=event.starts_at, ends_at=event.starts_at)
    speaker = Speaker(name="Pavel Orlov", country="RU")
    db.session.add_all([item, speaker])
    db.session.flush()
    db.session.add(Engagement(speaker_id=speaker.id, event_id=event.id, programme_item_id=item.id,
                              role=SpeakerRole.keynote))
    db.session.commit()
    services.register(event, applicant(1, answers={session.field_name: "A"}))
    colleague = make_organiser("colleague@example.org", event)
    user, token = _signed_in(client, event)

    answer = client.post(f"/manage/events/{event.id}/duplicate", data={"csrf_token": token})
    copy = db.session.scalars(sa.select(Event).where(Event.slug == "debris-lecture-copy")).one()
    assert answer.status_code == 303 and answer.location == f"/manage/events/{copy.id}/edit"
    assert (copy.status, copy.title, copy.capacity, copy.reminder_offsets) == (
        EventStatus.draft, event.title, 2, [60])
    assert (copy.confirmed_count, copy.waitlisted_count, copy.waitlist_seq) == (0, 0, 0)
    assert [(q.label, q.kind, q.required, q.options) for q in copy.questions] == [
        ("Which session?", QuestionKind.single_choice, True, ["A", "B"]),
        ("Dietary needs", QuestionKind.text, False, [])]
    assert [(i.title, i.starts_at) for i in copy.programme] == [("Talk", event.starts_at)]
    assert db.session.scalar(sa.select(sa.func.count()).where(Engagement.event_id == copy.id)) == 0
    managers = db.session.scalars(sa.select(EventManager.user_id).where(EventManager.event_id == copy.id))
    assert set(managers) == {user.id, colleague.id}
    assert "copied from the event" in client.get(answer.location).get_data(as_text=True)

    client.post(f"/manage/events/{event.id}/duplicate", data={"csrf_token": token})
    assert db.session.scalar(sa.select(Event).where(Event.slug == "debris-lecture-copy-2")) is not None


def test_the_overview_shows_seats_by_status_and_links_to_the_event_pages(client):
    event = make_event(capacity=1, mode="online", meeting_url=None)
    for number in (1, 2):
        services.register(event, applicant(number))
    _user, _token = _signed_in(client, event)
    page = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert "<strong>1</strong> / 1 confirmed" in page and "<strong>1</strong> waiting" in page
    assert "No meeting link yet" in page
    # Its own pages, and those of the registration, speakers, messages and outbox areas (not followed).
    pages = ("programme", "questions", "managers", "speakers", "registrations", "checkin", "messages",
             "outbox")
    for path in pages:
        assert f'href="/manage/events/{event.id}/{path}"' in page


#: the event routes of this area, with the ids their URLs need
EVENT_ROUTES = [
    "event", "edit_event", "publish_event", "cancel_event", "duplicate_event", "programme",
    "new_programme_item", "edit_programme_item", "delete_programme_item", "add_item_speaker",
    "remove_item_speaker", "questions", "new_question", "edit_question", "delete_question", "move_question",
    "event_managers", "remove_event_manager",
]


def test_an_organiser_who_does_not_manage_the_event_is_refused_on_every_event_page(app, client):
    event = make_event()
    item = ProgrammeItem(event_id=event.id, title="Talk", starts_at=event.starts_at, ends_at=event.starts_at)
    db.session.add(item)
    db.session.commit()
    question = add_question(event, QuestionKind.text, "Dietary needs")
    owner = make_organiser("owner@example.org", event)
    _user, token = _signed_in(client)
    ids = dict(event_id=event.id, item_id=item.id, question_id=question.id, engagement_id=1, user_id=owner.id)
    rules = [rule for rule in app.url_map.iter_rules()
             if rule.endpoint.removeprefix("manage.") in EVENT_ROUTES]
    assert {rule.endpoint.removeprefix("manage.") for rule in rules} == set(EVENT_ROUTES)
    for rule in rules:
        path = rule.build({name: ids[name] for name in rule.arguments})[1]
        for method in rule.methods & {"GET", "POST"}:
            answer = client.open(path, method=method, data={"csrf_token": token, "direction": "up"})
            assert answer.status_code == 403, (method, path)
    db.session.refresh(event)
    assert (event.status, len(event.questions)) == (EventStatus.published, 1)
