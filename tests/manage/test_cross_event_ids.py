"""An event's pages refuse the ids of other events with 404, and change nothing.

An organiser of one event puts, into a URL of their own event, the id of a
registration, question, programme item, engagement, email or manager of another
event. Every such route is walked, read from the app itself like the access walk,
so a new route with a second id is covered without anyone adding it here.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys import create_app
from eventsys.database import db, utcnow
from eventsys.events.models import ProgrammeItem
from eventsys.mail import outbox
from eventsys.manage.access import EVENT_PARTS, Access
from eventsys.messages.models import Audience, Mailing
from eventsys.registration import services
from eventsys.registration.models import QuestionKind
from eventsys.speakers.models import Engagement, Speaker, SpeakerRole
from tests.conftest import both_databases
from tests.factories import add_question, applicant, csrf_token, make_event, make_organiser, sign_in
from tests.world import build_world, issued_letter

OTHER_ORGANISER = "other@example.org"


def _routes_with_inner_ids():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    cases = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access", None) is not Access.event:
            continue
        inner = [name for name in re.findall(r"<int:(\w+)>", rule.rule) if name != "event_id"]
        for name in inner:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                cases.append(pytest.param(rule.rule, name, method, id=f"{method} {rule.rule} foreign {name}"))
    return cases


CASES = _routes_with_inner_ids()


def _own_objects(event, organiser) -> dict[str, int]:
    """The other event's own objects, one of each kind an event page's URL can name."""
    question = add_question(event, QuestionKind.text, "Arrival date")
    registration = services.register(event, applicant(7, email="own@example.org"))
    speaker = Speaker(name="Chen Wei", title="Dr", email="chen@example.org", country="CN")
    item = ProgrammeItem(event_id=event.id, title="Opening", starts_at=event.starts_at,
                         ends_at=event.starts_at + timedelta(hours=1))
    db.session.add_all([speaker, item])
    db.session.flush()
    engagement = Engagement(speaker_id=speaker.id, event_id=event.id, programme_item_id=item.id,
                            role=SpeakerRole.panel)
    db.session.add(engagement)
    db.session.flush()
    email_id = outbox.enqueue("registration_confirmed", registration.email, f"own:{utcnow().isoformat()}",
                              event_id=event.id, registration_id=registration.id)
    letter = issued_letter(event, registration)
    mailing = Mailing(event_id=event.id, audience=Audience.registrants, subject="Hello", body="Hi",
                      recipient_count=0, sent_by_id=organiser.id)
    db.session.add(mailing)
    db.session.commit()
    return {"event_id": event.id, "registration_id": registration.id, "question_id": question.id,
            "item_id": item.id, "engagement_id": engagement.id, "email_id": email_id,
            "user_id": organiser.id, "letter_id": letter.id, "mailing_id": mailing.id}


def _snapshot() -> dict[str, list]:
    """Every row of every table, to show that a refused request wrote nothing."""
    return {table.name: sorted(map(repr, db.session.execute(sa.select(table)).all()))
            for table in db.metadata.sorted_tables}


def test_the_walk_finds_the_routes_with_two_ids():
    rules = {case.values[0] for case in CASES}
    assert "/manage/events/<int:event_id>/checkin/<int:registration_id>" in rules
    assert ("/manage/events/<int:event_id>/programme/<int:item_id>/speakers/<int:engagement_id>/remove"
            in rules)


def test_every_id_in_an_event_page_s_url_is_checked_against_the_event():
    assert {case.values[1] for case in CASES} <= set(EVENT_PARTS)


@pytest.mark.parametrize(("rule", "foreign", "method"), CASES)
def test_an_id_of_another_event_answers_404_and_changes_nothing(app, rule, foreign, method):
    world = build_world()
    event = make_event(title="Another Forum")
    own = _own_objects(event, make_organiser(OTHER_ORGANISER, event))
    ids = {**own, foreign: world.ids[foreign]}
    url = rule
    for name in re.findall(r"<int:(\w+)>", rule):
        assert name in own, f"{rule}: add an object for <{name}> to _own_objects and tests/world.py"
        url = url.replace(f"<int:{name}>", str(ids[name]))

    client = app.test_client()
    sign_in(client, OTHER_ORGANISER)
    data = {"csrf_token": csrf_token(client, "/manage/"), "direction": "up"} if method == "POST" else None
    db.session.expire_all()
    before = _snapshot()
    answer = client.open(url, method=method, data=data)
    assert answer.status_code == 404, (answer.status_code, answer.location)
    db.session.expire_all()
    assert _snapshot() == before


@both_databases
def test_the_check_in_desk_does_not_check_in_another_event_s_registrant(app):
    world = build_world()
    event = make_event(title="Another Forum")
    make_organiser(OTHER_ORGANISER, event)
    client = app.test_client()
    sign_in(client, OTHER_ORGANISER)
    answer = client.post(f"/manage/events/{event.id}/checkin/{world.ids['registration_id']}",
                         data={"csrf_token": csrf_token(client, "/manage/")})
    assert answer.status_code == 404
    checked_in = db.session.scalar(sa.text("SELECT checked_in_at FROM registration WHERE id = :id"),
                                   {"id": world.ids["registration_id"]})
    assert checked_in is None
    too_large = client.post(f"/manage/events/{event.id}/checkin/{2**40}",
                            data={"csrf_token": csrf_token(client, "/manage/")})
    assert too_large.status_code == 404
