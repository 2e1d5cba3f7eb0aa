"""The demo year: what a visitor sees after `flask seed-demo`, and that seeding twice changes nothing."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.demo import attendees, past_years, programme
from eventsys.demo.seed import seed_demo
from eventsys.events.models import Event, EventKind, EventMode, EventStatus
from eventsys.registration.models import Question, QuestionKind, Registration
from eventsys.speakers.models import KNOWN_HONOURS, Engagement, Institution, Speaker, SpeakerRole
from tests.conftest import both_databases

CONFERENCES = (
    "International Symposium on Intelligent Microsystems",
    "International Conference on Smart Materials and Nanotechnology in Engineering",
    "Harbin International Medical Industry Cross Summit Forum",
    "International University Student Spacecraft Innovative Design Competition",
    "Technology Forum on Student Micro/nano-satellites",
)
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
#: the demo year ahead; past_years holds the finished events before it
UPCOMING = [spec["slug"] for spec in programme.EVENTS]


@pytest.fixture
def seeded(app) -> int:
    """The number of records the first seed created."""
    return seed_demo()


def _events(*conditions) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(*conditions).order_by(Event.starts_at)))


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_the_home_page_lists_the_schools_conferences(seeded, client):
    page = client.get("/")
    assert page.status_code == 200
    for title in CONFERENCES:
        assert title in page.text


def test_the_draft_event_stays_with_the_organisers(seeded, client):
    (draft,) = _events(Event.status == EventStatus.draft)
    assert draft.title not in client.get("/").text
    assert client.get(f"/events/{draft.slug}").status_code == 404


def test_there_is_a_series_of_online_lectures_each_with_its_lecturer(seeded):
    lectures = _events(Event.kind == EventKind.lecture, Event.mode == EventMode.online,
                       Event.status == EventStatus.published)
    assert len(lectures) >= 4
    for lecture in lectures:
        assert lecture.ends_at - lecture.starts_at == timedelta(minutes=90)
        assert lecture.meeting_url == f"https://meet.example.org/{lecture.slug}"
        roles = db.session.scalars(sa.select(Engagement.role).where(Engagement.event_id == lecture.id))
        assert SpeakerRole.online_lecture in list(roles), lecture.slug


def test_one_lecture_is_in_person_with_few_seats_and_one_opens_registration_later(seeded):
    (in_person,) = _events(Event.kind == EventKind.lecture, Event.mode == EventMode.in_person)
    assert in_person.capacity is not None and in_person.capacity <= 50
    assert in_person.timezone == "Asia/Shanghai" and in_person.meeting_url is None
    opening_later = _events(Event.registration_opens_at > utcnow())
    assert [event.kind for event in opening_later] == [EventKind.lecture]


def test_events_are_upcoming_over_the_next_months_and_only_the_demo_lecture_has_registrants(seeded):
    now = utcnow()
    events = _events(Event.slug.in_(UPCOMING))
    assert len(events) >= 12
    assert sum("\n\n" in event.description for event in events) >= 10
    for event in events:
        assert SLUG.fullmatch(event.slug)
        assert ZoneInfo(event.timezone)
        assert now < event.starts_at <= event.ends_at < now + timedelta(days=330)
        assert event.summary and event.description and event.venue and event.language == "en"
        if event.slug != attendees.EVENT_SLUG:
            assert (event.confirmed_count, event.waitlisted_count, event.waitlist_seq) == (0, 0, 0)
        assert (event.meeting_url is None) == (event.mode is EventMode.in_person)
    (competition,) = _events(Event.kind == EventKind.competition, Event.slug.in_(UPCOMING))
    closes = competition.registration_closes_at
    assert competition.starts_at - timedelta(days=10) < closes < competition.starts_at


@both_databases
def test_programme_items_lie_within_their_event(app):
    seed_demo()
    events = _events(Event.kind != EventKind.lecture)
    assert sum(len(event.programme) for event in events) >= 40
    for event in events:
        for item in event.programme:
            assert event.starts_at <= item.starts_at <= item.ends_at <= event.ends_at, item.title


def test_the_symposium_has_a_programme_people_can_find_their_way_in(seeded, client):
    page = client.get("/events/intelligent-microsystems-symposium").text
    for title in ("Opening ceremony", "Poster session", "Closing ceremony and best paper awards"):
        assert title in page
    assert "Room 201" in page and "Room 202" in page
    assert "Times in Asia/Shanghai." in page


def test_speakers_are_invited_people_with_honours_including_a_nobel_laureate(seeded):
    speakers = list(db.session.scalars(sa.select(Speaker)))
    assert len(speakers) >= 12
    honours = [honour for speaker in speakers for honour in speaker.honours]
    assert "Nobel Laureate" in honours
    assert honours.count("IEEE Fellow") >= 3
    assert set(honours) <= set(KNOWN_HONOURS)
    for speaker in speakers:
        assert re.fullmatch(r"[a-z.-]+@example\.(org|com)", speaker.email)
        assert speaker.title in {"Prof.", "Academician", "Dr."}
        assert speaker.country == speaker.institution.country
        assert 1 <= len(speaker.expertise) <= 3 and speaker.biography


def test_the_nobel_laureate_appears_on_the_medical_forum_page(seeded, client):
    laureate = db.session.scalars(sa.select(Speaker).where(Speaker.honours.contains("Nobel Laureate"))).one()
    page = client.get("/events/medical-industry-cross-summit-forum").text
    assert laureate.name in page and "Nobel Laureate" in page


def test_partner_institutions_include_the_russian_and_ukrainian_partners(seeded):
    institutions = list(db.session.scalars(sa.select(Institution)))
    partners = {i.name: i for i in institutions if i.partner}
    assert len(institutions) >= 12 and len(partners) >= 8
    assert all(i.partner_since is not None for i in partners.values())
    assert partners["Lomonosov Moscow State University"].country == "RU"
    assert partners['National Aerospace University "Kharkiv Aviation Institute"'].country == "UA"
    assert {i.country for i in institutions} >= {"RU", "UA", "DE", "GB", "JP", "US"}


def test_the_conference_and_the_competition_ask_their_own_questions(seeded):
    def form(slug: str) -> list[Question]:
        return list(db.session.scalars(
            sa.select(Question).join(Event).where(Event.slug == slug).order_by(Question.position)
        ))

    conference = {q.label: q for q in form("smart-materials-nanotechnology-conference")}
    poster = conference["Will you present a poster?"]
    assert poster.kind is QuestionKind.yes_no and poster.required
    diet = conference["Dietary requirements"]
    assert diet.kind is QuestionKind.single_choice and not diet.required and "Vegetarian" in diet.options
    assert {q.kind for q in conference.values()} >= {
        QuestionKind.multiple_choice, QuestionKind.number, QuestionKind.date, QuestionKind.text
    }
    competition = form("student-spacecraft-design-competition")
    assert [(q.label, q.kind, q.required) for q in competition[:2]] == [
        ("Team name", QuestionKind.text, True), ("Team members", QuestionKind.long_text, False)
    ]
    assert [q.position for q in competition] == sorted({q.position for q in competition})


@both_databases
def test_seeding_twice_creates_nothing_the_second_time(app):
    first = seed_demo()
    counts = _row_counts()
    assert first > 100
    assert seed_demo() == 0
    assert _row_counts() == counts


def test_the_command_line_seeds_the_demo_once(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    created = int(re.search(r"\((\d+) new records\)", result.output).group(1))
    assert created > 100
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) >= 12
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "(0 new records)" in again.output


def test_no_event_page_shows_its_meeting_link(seeded, client):
    events = _events(Event.status == EventStatus.published)
    assert any(event.meeting_url for event in events)
    for event in events:
        page = client.get(f"/events/{event.slug}")
        assert page.status_code == 200
        assert "meet.example.org" not in page.text, event.slug
        assert "meet.example.org" not in client.get(f"/events/{event.slug}.ics").text, event.slug


def test_the_demo_lecture_is_full_with_a_waiting_list_of_people_from_many_countries(seeded):
    (lecture,) = _events(Event.slug == attendees.EVENT_SLUG)
    people = sum(len(names) for *_, names in attendees.GROUPS)
    assert lecture.confirmed_count == lecture.capacity
    assert lecture.waitlisted_count == people - lecture.capacity
    countries = db.session.scalars(
        sa.select(Registration.country).distinct().where(Registration.event_id == lecture.id)
    ).all()
    assert len(countries) >= 10


def test_the_past_three_years_are_finished_events_with_speakers_and_attendees(seeded):
    now = utcnow()
    past = _events(Event.slug.in_([spec["slug"] for spec in past_years.EVENTS]))
    assert len(past) >= 10
    assert {event.kind for event in past} >= {EventKind.conference, EventKind.lecture, EventKind.forum,
                                              EventKind.competition}
    for event in past:
        assert now - timedelta(days=3 * 365) < event.starts_at <= event.ends_at < now
        assert event.status is EventStatus.published and event.confirmed_count > 0
        registrations = list(db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event.id)))
        assert len(registrations) == event.confirmed_count
        assert all((r.checked_in_at is not None) == event.has_venue for r in registrations)
    partners = db.session.scalars(sa.select(Institution).where(Institution.partner_since > now.date()
                                                               - timedelta(days=3 * 365))).all()
    assert len(partners) >= 2


def test_a_newcomer_opens_a_full_exchange_report(seeded, client):
    from eventsys.demo.seed import DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD
    from tests.factories import sign_in
    from tests.reports.pages import read_report

    sign_in(client, DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD)
    page = client.get("/manage/reports/exchange")
    assert page.status_code == 200
    figures = read_report(page.get_data(as_text=True))
    assert figures["events"]["All kinds"] >= 10
    assert figures["experts"]["Foreign experts"] >= 10
    assert figures["experts"]["In person"] > 0 and figures["experts"]["Online"] > 0
    assert len(figures["attendees_by_country"]) >= 10
    assert figures["attendees"]["Attendees"] > 200
    assert len(figures["partners_engaged"]) >= 8 and len(figures["new_partners"]) >= 2
    assert figures["honours"]["Nobel Laureate"] == 1


def test_a_letter_request_waits_for_the_demo_organiser(seeded, client):
    from eventsys.demo.seed import DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD
    from eventsys.visas.models import LetterStatus, VisaLetter
    from tests.factories import sign_in

    [letter] = db.session.scalars(sa.select(VisaLetter)).all()
    assert letter.status is LetterStatus.requested and letter.event.offers_visa_letters
    sign_in(client, DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD)
    listing = client.get(f"/manage/events/{letter.event_id}/visa-letters").get_data(as_text=True)
    assert "Алексей Смирнов" in listing and 'data-status="requested"' in listing
    page = client.get(f"/manage/events/{letter.event_id}/visa-letters/{letter.id}").get_data(as_text=True)
    assert "Смирнов Алексей Игоревич" in page and "Approve and issue the letter" in page


def test_a_delegation_is_invited_with_held_seats(seeded, client):
    from eventsys.demo.invitations import DELEGATION, EVENT_SLUG
    from eventsys.demo.seed import DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD
    from tests.factories import sign_in

    [forum] = _events(Event.slug == EVENT_SLUG)
    assert forum.held_count == len(DELEGATION)
    sign_in(client, DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD)
    listing = client.get(f"/manage/events/{forum.id}/invitations").get_data(as_text=True)
    assert "Ерлан Жумабеков" in listing
    assert listing.count('data-status="pending" data-email') == len(DELEGATION)
