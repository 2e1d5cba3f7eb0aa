"""The public pages: the list of upcoming events, one event, and its calendar file."""

from datetime import timedelta

from icalendar import Calendar

from eventsys.database import db, utcnow
from eventsys.events.models import EventKind, EventMode, ProgrammeItem
from eventsys.registration import services
from eventsys.speakers.models import Engagement, Institution, Speaker, SpeakerRole
from tests.factories import applicant, make_event


def test_the_home_page_lists_upcoming_events_and_filters_by_kind(client):
    conference = make_event(title="Smart Materials Conference")
    lecture = make_event(title="Lecture on Orbital Debris", kind=EventKind.lecture, mode=EventMode.online)
    make_event(title="Secret Draft", status="draft")
    make_event(title="Last Year's Forum", starts_at=utcnow() - timedelta(days=400))
    html = client.get("/").get_data(as_text=True)
    assert conference.title in html and lecture.title in html
    assert "Secret Draft" not in html and "Last Year" not in html
    lectures = client.get("/?kind=lecture").get_data(as_text=True)
    assert lecture.title in lectures and conference.title not in lectures
    assert client.get("/?kind=party").status_code == 400


def _event_with_programme():
    event = make_event(
        title="Symposium on Intelligent Microsystems",
        mode=EventMode.hybrid,
        capacity=3,
        meeting_url="https://meet.example.org/private-room",
        starts_at=utcnow().replace(hour=1, minute=0, second=0, microsecond=0) + timedelta(days=20),
    )
    institution = Institution(name="Bauman Moscow State Technical University", country="RU", partner=True)
    speaker = Speaker(
        name="Pavel Orlov",
        title="Academician",
        country="RU",
        institution=institution,
        honours=["Nobel Laureate", "IEEE Fellow"],
    )
    item = ProgrammeItem(
        event_id=event.id,
        title="Keynote: MEMS in orbit",
        location="Hall A",
        starts_at=event.starts_at + timedelta(hours=1),
        ends_at=event.starts_at + timedelta(hours=2),
    )
    db.session.add_all([institution, speaker, item])
    db.session.flush()
    db.session.add(
        Engagement(
            speaker_id=speaker.id, event_id=event.id, programme_item_id=item.id, role=SpeakerRole.keynote
        )
    )
    db.session.commit()
    return event


def test_the_event_page_shows_programme_speakers_honours_and_seats_but_not_the_meeting_link(client):
    event = _event_with_programme()
    services.register(event, applicant(1))
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Keynote: MEMS in orbit" in html and "Hall A" in html
    assert "Academician Pavel Orlov" in html and "Bauman Moscow State Technical University" in html
    assert "Nobel Laureate" in html and "IEEE Fellow" in html and "Russia" in html
    assert "<strong>2</strong> of 3 seats left" in html
    assert "private-room" not in html
    # 02:00 UTC is 10:00 in Harbin: times are shown where the event happens.
    assert "10:00–11:00" in html and "Asia/Shanghai" in html


def test_a_full_event_offers_the_waiting_list(client):
    event = make_event(capacity=1)
    services.register(event, applicant(1))
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "All 1 seats are taken: you can join the waiting list" in html


def test_drafts_and_unknown_events_are_not_found(client):
    draft = make_event(status="draft")
    assert client.get(f"/events/{draft.slug}").status_code == 404
    assert client.get("/events/no-such-event").status_code == 404
    assert client.get(f"/events/{draft.slug}.ics").status_code == 404


def test_the_calendar_file_holds_the_event_and_the_programme_feed_its_items_in_utc(client):
    event = _event_with_programme()
    response = client.get(f"/events/{event.slug}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    [main] = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(main["summary"]) == event.title
    assert main.decoded("dtstart") == event.starts_at
    assert main.decoded("dtend") == event.ends_at
    assert f"/events/{event.slug}" in str(main["url"])
    feed = client.get(f"/events/{event.slug}/programme.ics")
    [talk] = Calendar.from_ical(feed.data).walk("VEVENT")
    assert str(talk["summary"]) == f"Keynote: MEMS in orbit — {event.title}"
    assert talk.decoded("dtstart") == event.starts_at + timedelta(hours=1)
    assert "private-room" not in response.get_data(as_text=True) + feed.get_data(as_text=True)


def test_html_in_event_text_is_shown_as_text_not_run(client):
    event = make_event(title="<script>alert('x')</script> Forum")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_only_speakers_who_accepted_or_were_added_directly_are_shown(client):
    from eventsys.speakers.models import InvitationStatus

    event = make_event()
    people = {}
    for name, status in [
        ("Added Directly", None),
        ("Has Accepted", InvitationStatus.accepted),
        ("Still Invited", InvitationStatus.invited),
        ("Has Declined", InvitationStatus.declined),
    ]:
        speaker = Speaker(name=name, country="RU")
        db.session.add(speaker)
        db.session.flush()
        db.session.add(
            Engagement(
                speaker_id=speaker.id,
                event_id=event.id,
                role=SpeakerRole.invited_talk,
                invitation_status=status,
            )
        )
        people[name] = speaker
    db.session.commit()
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Added Directly" in html and "Has Accepted" in html
    assert "Still Invited" not in html and "Has Declined" not in html
    api = client.get(f"/api/v1/events/{event.slug}").json
    assert sorted(s["speaker"]["name"] for s in api["speakers"]) == ["Added Directly", "Has Accepted"]
