"""The registration rules, on SQLite and on PostgreSQL."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.events.models import Event, EventStatus
from eventsys.registration import services
from eventsys.registration.models import QuestionKind, Registration, RegistrationStatus
from tests.conftest import both_databases
from tests.factories import add_question, applicant, make_event

pytestmark = both_databases


def _statuses(event: Event) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Registration.status, sa.func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.status)
    )
    return {status.value: count for status, count in rows}


def test_seats_are_confirmed_until_full_then_the_waiting_list_grows_in_order(app):
    event = make_event(capacity=2)
    results = [services.register(event, applicant(n)) for n in range(1, 6)]
    assert [r.status.value for r in results] == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert [services.waitlist_position(r) for r in results] == [None, None, 1, 2, 3]
    db.session.refresh(event)
    assert (event.confirmed_count, event.waitlisted_count, event.seats_left) == (2, 3, 0)


def test_unlimited_capacity_confirms_everyone(app):
    event = make_event(capacity=None)
    results = [services.register(event, applicant(n)) for n in range(1, 4)]
    assert {r.status for r in results} == {RegistrationStatus.confirmed}


def test_the_same_email_cannot_register_twice_whatever_its_case(app):
    event = make_event()
    first = services.register(event, applicant(1, email="Anna.Ivanova@Example.org"))
    with pytest.raises(services.AlreadyRegistered) as raised:
        services.register(event, applicant(2, email=" anna.ivanova@example.ORG "))
    assert raised.value.registration.id == first.id
    assert _statuses(event) == {"confirmed": 1}


def test_a_cancelled_registrant_may_register_again(app):
    event = make_event()
    first = services.register(event, applicant(1))
    services.cancel_registration(first.id)
    again = services.register(event, applicant(1))
    assert again.status is RegistrationStatus.confirmed
    assert _statuses(event) == {"confirmed": 1, "cancelled": 1}


def test_cancelling_a_confirmed_seat_promotes_the_first_person_waiting(app):
    event = make_event(capacity=2)
    regs = [services.register(event, applicant(n)) for n in range(1, 6)]
    promoted = services.cancel_registration(regs[0].id)
    assert [p.id for p in promoted] == [regs[2].id]
    db.session.expire_all()
    assert regs[2].status is RegistrationStatus.confirmed and regs[2].promoted_at is not None
    assert [services.waitlist_position(r) for r in regs[3:]] == [1, 2]
    db.session.refresh(event)
    assert (event.confirmed_count, event.waitlisted_count) == (2, 2)


def test_cancelling_a_waiting_registration_moves_those_behind_it_up(app):
    event = make_event(capacity=1)
    regs = [services.register(event, applicant(n)) for n in range(1, 5)]
    assert services.cancel_registration(regs[1].id) == []
    db.session.expire_all()
    assert [services.waitlist_position(r) for r in regs[2:]] == [1, 2]
    assert (db.session.get(Event, event.id).confirmed_count, event.waitlisted_count) == (1, 2)


def test_cancelling_twice_changes_nothing(app):
    event = make_event(capacity=1)
    first = services.register(event, applicant(1))
    services.register(event, applicant(2))
    assert len(services.cancel_registration(first.id)) == 1
    assert services.cancel_registration(first.id) == []
    db.session.refresh(event)
    assert (event.confirmed_count, event.waitlisted_count) == (1, 0)


def test_promote_from_waitlist_fills_seats_added_later(app):
    event = make_event(capacity=1)
    regs = [services.register(event, applicant(n)) for n in range(1, 5)]
    event.capacity = 3
    db.session.commit()
    promoted = services.promote_from_waitlist(event.id)
    assert [p.id for p in promoted] == [regs[1].id, regs[2].id]
    assert _statuses(event) == {"confirmed": 3, "waitlisted": 1}


def test_the_database_itself_refuses_more_confirmed_than_capacity(app):
    event = make_event(capacity=1)
    services.register(event, applicant(1))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Event).where(Event.id == event.id).values(confirmed_count=2))
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    ("changes", "message", "gone"),
    [
        ({"status": EventStatus.draft}, "not open for registration yet", False),
        ({"status": EventStatus.cancelled}, "cancelled", True),
        ({"registration_opens_at": utcnow() + timedelta(days=1)}, "Registration opens on", False),
        ({"registration_closes_at": utcnow() - timedelta(minutes=1)}, "has closed", True),
        ({"starts_at": utcnow() - timedelta(days=3), "ends_at": utcnow() - timedelta(days=1)},
         "already taken place", True),
    ],
)
def test_registration_outside_its_window_is_refused_with_the_reason(app, changes, message, gone):
    event = make_event(**changes)
    with pytest.raises(services.RegistrationClosed) as raised:
        services.register(event, applicant(1))
    assert message in str(raised.value)
    assert raised.value.gone is gone
    assert _statuses(event) == {}


def test_every_bad_field_is_reported_at_once_and_nothing_is_written(app):
    event = make_event()
    number = add_question(event, QuestionKind.number, "Accompanying persons")
    bad = applicant(1, name=" ", email="not-an-email", country="XX", category="astronaut",
                    affiliation="x" * 301, answers={str(number.id): "two"})
    with pytest.raises(services.InvalidRegistration) as raised:
        services.register(event, bad)
    assert set(raised.value.errors) == {"name", "email", "country", "category", "affiliation",
                                       f"answers.{number.id}"}
    assert "Enter a number." in raised.value.errors[f"answers.{number.id}"]
    assert _statuses(event) == {}


def test_answers_are_checked_and_stored_by_question_kind(app):
    event = make_event()
    questions = {
        "text": add_question(event, QuestionKind.text, "Paper ID"),
        "long": add_question(event, QuestionKind.long_text, "Abstract"),
        "single": add_question(event, QuestionKind.single_choice, "Diet", options=["Halal", "Vegetarian"]),
        "multi": add_question(event, QuestionKind.multiple_choice, "Sessions", options=["A", "B", "C"]),
        "yes_no": add_question(event, QuestionKind.yes_no, "Poster?", required=True),
        "number": add_question(event, QuestionKind.number, "Guests"),
        "date": add_question(event, QuestionKind.date, "Arrival"),
    }
    ids = {key: str(q.id) for key, q in questions.items()}
    registration = services.register(event, applicant(1, answers={
        ids["text"]: " P-17 ", ids["long"]: "Shape memory.", ids["single"]: "Halal",
        ids["multi"]: ["C", "A", "C"], ids["yes_no"]: "no", ids["number"]: "2", ids["date"]: "2026-12-01",
    }))
    assert registration.answers == {
        ids["text"]: "P-17", ids["long"]: "Shape memory.", ids["single"]: "Halal", ids["multi"]: ["A", "C"],
        ids["yes_no"]: False, ids["number"]: 2, ids["date"]: "2026-12-01",
    }


@pytest.mark.parametrize(
    ("kind", "options", "value", "message"),
    [
        (QuestionKind.text, [], "x" * 501, "under 500 characters"),
        (QuestionKind.long_text, [], "x" * 5001, "under 5,000 characters"),
        (QuestionKind.single_choice, ["A", "B"], "Z", "Choose one of: A, B."),
        (QuestionKind.multiple_choice, ["A", "B"], ["A", "Z"], "Not a choice here: Z."),
        (QuestionKind.yes_no, [], "maybe", "Answer yes or no."),
        (QuestionKind.number, [], "nan", "Enter a number."),
        (QuestionKind.number, [], True, "Enter a number."),
        (QuestionKind.date, [], "31/12/2026", "YYYY-MM-DD"),
        (QuestionKind.text, [], 42, "Enter text."),
    ],
)
def test_a_wrong_answer_names_the_question_and_the_problem(app, kind, options, value, message):
    event = make_event()
    question = add_question(event, kind, "Q", options=options)
    with pytest.raises(services.InvalidRegistration) as raised:
        services.register(event, applicant(1, answers={question.field_name: value}))
    assert message in raised.value.errors[f"answers.{question.id}"][0]


def test_required_questions_need_an_answer_and_unknown_ones_are_refused(app):
    event = make_event()
    question = add_question(event, QuestionKind.text, "Team name", required=True)
    with pytest.raises(services.InvalidRegistration) as raised:
        services.register(event, applicant(1, answers={"9999": "x"}))
    assert raised.value.errors == {
        "answers.9999": ["This event has no such question."],
        f"answers.{question.id}": ["This question needs an answer."],
    }
