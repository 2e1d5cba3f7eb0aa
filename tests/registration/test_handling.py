"""Organisers and registrations: approval mode, promotion by hand, check-in, answers; both databases."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.mail.models import OutboundEmail
from eventsys.registration import handling, services, tally
from eventsys.registration.errors import RegistrationError
from eventsys.registration.models import QuestionKind, RegistrationStatus
from tests.conftest import both_databases
from tests.factories import add_question, applicant, make_event, make_running_event

pytestmark = both_databases


def _kinds_sent_to(registration) -> list[str]:
    return list(db.session.scalars(
        sa.select(OutboundEmail.kind).where(OutboundEmail.registration_id == registration.id)
        .order_by(OutboundEmail.id)
    ))


def test_in_approval_mode_people_wait_pending_until_approved_then_get_a_seat_or_the_waiting_list(app):
    event = make_event(capacity=1, requires_approval=True)
    first, second = (services.register(event, applicant(n)) for n in (1, 2))
    assert (first.status, second.status) == (RegistrationStatus.pending, RegistrationStatus.pending)
    db.session.refresh(event)
    assert (event.confirmed_count, event.waitlisted_count) == (0, 0)

    assert handling.approve(event.id, first.id) is RegistrationStatus.confirmed
    assert handling.approve(event.id, second.id) is RegistrationStatus.waitlisted
    db.session.refresh(event)
    assert (event.confirmed_count, event.waitlisted_count) == (1, 1)
    assert _kinds_sent_to(first) == ["registration_pending", "registration_confirmed"]
    assert _kinds_sent_to(second) == ["registration_pending", "registration_waitlisted"]
    with pytest.raises(RegistrationError, match="Only registrations awaiting approval"):
        handling.approve(event.id, first.id)
    assert tally.counts(event.id) == tally.recount(event.id)


def test_promoting_by_hand_takes_a_free_seat_out_of_turn_and_refuses_when_full(app):
    event = make_event(capacity=1)
    seated, first_waiting, second_waiting = (services.register(event, applicant(n)) for n in (1, 2, 3))
    with pytest.raises(RegistrationError, match="raise the capacity first"):
        handling.promote_by_hand(event.id, second_waiting.id)

    event.capacity = 2
    db.session.commit()
    handling.promote_by_hand(event.id, second_waiting.id)
    db.session.refresh(second_waiting)
    db.session.refresh(first_waiting)
    assert second_waiting.status is RegistrationStatus.confirmed
    assert services.waitlist_position(first_waiting) == 1
    assert _kinds_sent_to(second_waiting)[-1] == "registration_promoted"
    assert tally.counts(event.id) == tally.recount(event.id)


def test_tally_follows_every_change_of_status(app):
    event = make_event(capacity=2)
    people = [services.register(event, applicant(n, country=c)) for n, c in
              enumerate(["DE", "RU", "DE", "UA", "CN"], start=1)]
    services.cancel_registration(people[0].id)  # a confirmed seat frees up: the first waiting moves up
    services.cancel_registration(people[3].id)
    counts = tally.counts(event.id)
    assert counts == tally.recount(event.id)
    assert counts[(RegistrationStatus.cancelled, "DE")] == 1
    assert sum(n for (status, _), n in counts.items() if status is RegistrationStatus.confirmed) == 2


def test_check_in_marks_once_and_a_second_scan_says_when(app):
    event = make_running_event(capacity=1)
    seated, waiting = (services.register(event, applicant(n)) for n in (1, 2))
    first = handling.check_in(event.id, seated)
    again = handling.check_in(event.id, seated)
    assert first.first_time and not again.first_time
    assert again.registration.checked_in_at == first.registration.checked_in_at is not None
    with pytest.raises(RegistrationError, match="on the waiting list"):
        handling.check_in(event.id, waiting)
    other = make_event(slug="another-event")
    with pytest.raises(RegistrationError, match="another event"):
        handling.check_in(other.id, seated)


def test_a_check_in_on_a_day_the_event_does_not_run_waits_for_confirmation_and_can_be_undone(app):
    # Runs 10-12 March where it takes place: Moscow's 9 March, 23:30 is still the day before.
    starts = datetime(2027, 3, 10, 6, 0, tzinfo=UTC)
    event = make_event(starts_at=starts, ends_at=starts + timedelta(days=2), timezone="Europe/Moscow")
    person = services.register(event, applicant(1))
    the_evening_before = datetime(2027, 3, 9, 20, 30, tzinfo=UTC)
    with pytest.raises(handling.OutsideEventDays) as asked:
        handling.check_in(event.id, person, now=the_evening_before)
    assert (asked.value.today, asked.value.first_day, asked.value.last_day) == (
        date(2027, 3, 9), date(2027, 3, 10), date(2027, 3, 12))
    db.session.refresh(person)
    assert person.checked_in_at is None, "asking changes nothing"
    first_morning = datetime(2027, 3, 9, 21, 30, tzinfo=UTC)  # 00:30 on 10 March in Moscow
    assert handling.check_in(event.id, person, now=first_morning).first_time
    last_evening = datetime(2027, 3, 12, 20, 59, tzinfo=UTC)  # 23:59 on 12 March
    assert not handling.check_in(event.id, person, now=last_evening).first_time

    assert handling.undo_check_in(event.id, person) is True
    assert person.checked_in_at is None
    assert handling.undo_check_in(event.id, person) is False, "nothing to take back twice"
    confirmed = handling.check_in(event.id, person, now=the_evening_before, outside_days_confirmed=True)
    assert confirmed.first_time and confirmed.registration.checked_in_at == the_evening_before


def test_answers_are_corrected_by_the_form_rules_and_bad_ones_change_nothing(app):
    event = make_event()
    question = add_question(event, QuestionKind.number, "Years of experience", required=True)
    registration = services.register(event, applicant(1, answers={question.field_name: 3}))
    with pytest.raises(handling.InvalidAnswers) as invalid:
        handling.update_answers(registration, {question.field_name: "many"})
    assert question.field_name in invalid.value.errors
    db.session.rollback()
    db.session.refresh(registration)
    assert registration.answers == {question.field_name: 3}
    handling.update_answers(registration, {question.field_name: "7"})
    db.session.refresh(registration)
    assert registration.answers == {question.field_name: 7}
