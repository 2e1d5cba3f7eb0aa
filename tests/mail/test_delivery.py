"""Delivering outbox rows: once only, whoever asks and however often, and honest about failures."""

import threading

import sqlalchemy as sa

from eventsys.database import db
from eventsys.mail import delivery, outbox
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.registration.emails import enqueue_for_registrations
from eventsys.registration.models import Registration
from eventsys.registration.services import register
from tests.conftest import both_databases
from tests.factories import applicant, make_event
from tests.servers import free_port


def _queued_without_delivery(app, count: int) -> list[int]:
    """Registrations whose confirmation rows exist but were not handed to a worker yet."""
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = free_port()  # nobody listens: delivery at registration fails softly
    event = make_event(capacity=None)
    for n in range(1, count + 1):
        register(event, applicant(n))
    return list(db.session.scalars(sa.select(OutboundEmail.id).order_by(OutboundEmail.id)))


@both_databases
def test_an_unreachable_server_is_a_temporary_failure_retried_later(app):
    [email_id] = _queued_without_delivery(app, 1)
    email = db.session.get(OutboundEmail, email_id)
    assert email.state is EmailState.queued
    assert email.attempts == 1 and "cannot reach 127.0.0.1" in email.last_error
    assert email.next_attempt_at > email.created_at


@both_databases
def test_delivering_the_same_ids_again_sends_nothing_twice(app, smtp_sink):
    ids = _queued_without_delivery(app, 3)
    app.config.update(smtp_sink.config(), MAIL_RETRY_BASE_SECONDS=0)
    db.session.execute(sa.update(OutboundEmail).values(next_attempt_at=OutboundEmail.created_at))
    db.session.commit()
    delivery.deliver(ids)
    delivery.deliver(ids)
    assert len(smtp_sink.messages) == 3
    db.session.expire_all()
    assert {e.state for e in db.session.scalars(sa.select(OutboundEmail))} == {EmailState.sent}


def test_concurrent_deliveries_of_the_same_rows_send_each_once(app, smtp_sink, postgresql_url):
    from tests.conftest import make_app

    app = make_app(postgresql_url, **smtp_sink.config())
    with app.app_context():
        try:
            event = make_event(capacity=None)
            app.config["MAIL_PORT"] = free_port()
            for n in range(1, 41):
                register(event, applicant(n))
            ids = list(db.session.scalars(sa.select(OutboundEmail.id)))
            db.session.execute(sa.update(OutboundEmail).values(next_attempt_at=OutboundEmail.created_at))
            db.session.commit()
            app.config.update(smtp_sink.config())

            def deliver_all():
                with app.app_context():
                    delivery.deliver(ids)

            threads = [threading.Thread(target=deliver_all) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(smtp_sink.recipients()) == sorted(f"attendee{n}@example.org" for n in range(1, 41))
        finally:
            from tests.conftest import _empty_tables

            db.session.remove()
            _empty_tables()
            db.engine.dispose()


def test_a_failed_email_can_be_sent_again_with_the_same_content(app, smtp_sink):
    app.config.update(smtp_sink.config())
    smtp_sink.reject_addresses = {"attendee1@example.org"}
    register(make_event(), applicant(1))
    failed = db.session.scalars(sa.select(OutboundEmail)).one()
    assert failed.state is EmailState.failed and failed.last_error.startswith("550")
    smtp_sink.reject_addresses = set()
    outbox.resend(failed.id)
    [message] = smtp_sink.messages
    db.session.refresh(failed)
    assert failed.state is EmailState.sent
    assert message["Message-ID"].strip() == failed.message_id
    assert message["Subject"] == failed.subject


def test_a_queued_email_can_be_cancelled_before_it_goes(app):
    [email_id] = _queued_without_delivery(app, 1)
    outbox.cancel(email_id)
    db.session.expire_all()
    assert db.session.get(OutboundEmail, email_id).state is EmailState.cancelled
    assert outbox.sweep() == 0


def test_the_sweep_hands_over_rows_left_queued_or_stuck_in_sending(app, smtp_sink):
    ids = _queued_without_delivery(app, 2)
    app.config.update(smtp_sink.config(), MAIL_SWEEP_GRACE_SECONDS=0, MAIL_SENDING_TIMEOUT_SECONDS=0)
    db.session.execute(
        sa.update(OutboundEmail)
        .where(OutboundEmail.id == ids[0])
        .values(state=EmailState.sending, claimed_at=OutboundEmail.created_at)
    )
    db.session.execute(
        sa.update(OutboundEmail)
        .where(OutboundEmail.id == ids[1])
        .values(next_attempt_at=OutboundEmail.created_at)
    )
    db.session.commit()
    assert outbox.sweep() == 2
    assert sorted(smtp_sink.recipients()) == ["attendee1@example.org", "attendee2@example.org"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 2


def test_cancelling_an_event_withdraws_its_reminders_not_yet_sent(app, mail_dir):
    from datetime import timedelta

    from eventsys.database import utcnow
    from eventsys.events.lifecycle import cancel_event

    event = make_event()
    register(event, applicant(1))
    enqueue_for_registrations("reminder", Registration.event_id == event.id, scope="1440m",
                              not_before=utcnow() + timedelta(hours=1))
    db.session.commit()
    cancel_event(event.id)
    kinds = dict(db.session.execute(sa.select(OutboundEmail.kind, OutboundEmail.state)).all())
    assert kinds == {"registration_confirmed": EmailState.sent, "reminder": EmailState.cancelled,
                     "event_cancelled": EmailState.sent}


def _prerendered(uid: int, method_line: list[str]) -> int:
    """A row rendered before (as a retry or a resend is), carrying a calendar with this METHOD line."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", *method_line, "BEGIN:VEVENT", f"UID:{uid}", "END:VEVENT",
             "END:VCALENDAR"]
    ics = "\r\n".join(lines) + "\r\n"
    email = OutboundEmail(
        idempotency_key=f"test:{uid}", kind="event_cancelled", recipient="attendee1@example.org",
        subject="Cancelled: Spring School", text_body="It is cancelled.", html_body="<p>It is cancelled.</p>",
        ics=ics, message_id=f"<outbox.{uid}@astro.example.edu>", context={},
    )
    db.session.add(email)
    db.session.commit()
    return email.id


@both_databases
def test_the_calendar_part_says_the_method_its_calendar_says(app, smtp_sink):
    app.config.update(smtp_sink.config())
    delivery.deliver([_prerendered(1, ["METHOD:CANCEL"]), _prerendered(2, [])])
    methods = [part.get_param("method") for message in smtp_sink.messages for part in message.walk()
               if part.get_content_type() == "text/calendar"]
    assert methods == ["CANCEL", "PUBLISH"]


def test_a_row_the_database_refuses_to_record_loses_no_neighbour_and_goes_only_once(app, postgresql_url,
                                                                                   smtp_sink):
    from tests.conftest import _empty_tables, make_app

    app = make_app(postgresql_url, **smtp_sink.config(), MAIL_SENDING_TIMEOUT_SECONDS=0,
                   MAIL_SWEEP_GRACE_SECONDS=0)
    with app.app_context():
        # A stand-in for any value the database may refuse: a check on one event's subject.
        refuse = "ALTER TABLE outbound_email ADD CONSTRAINT test_refused CHECK (subject NOT LIKE '%Refused%')"
        db.session.execute(sa.text(refuse))
        db.session.commit()
        try:
            events = [make_event(capacity=None, title=title)
                      for title in ("Spring School", "Refused Workshop")]
            app.config["MAIL_PORT"] = free_port()  # the confirmations wait, to go together below
            for n in range(1, 11):
                register(events[n % 2], applicant(n))
            app.config.update(smtp_sink.config())
            db.session.execute(sa.update(OutboundEmail).values(next_attempt_at=OutboundEmail.created_at))
            db.session.commit()
            delivery.deliver(list(db.session.scalars(sa.select(OutboundEmail.id))))
            for _ in range(3):
                outbox.sweep()
            assert sorted(smtp_sink.recipients()) == sorted(f"attendee{n}@example.org" for n in range(1, 11))
            db.session.expire_all()
            emails = db.session.scalars(sa.select(OutboundEmail)).all()
            assert {email.state for email in emails} == {EmailState.sent}
            # The refused row is recorded without its content; its neighbours with theirs.
            assert sorted(email.subject is None for email in emails) == [False] * 5 + [True] * 5
        finally:
            db.session.rollback()
            db.session.execute(sa.text("ALTER TABLE outbound_email DROP CONSTRAINT test_refused"))
            db.session.commit()
            db.session.remove()
            _empty_tables()
            db.engine.dispose()


@both_databases
def test_messages_that_cannot_be_composed_fail_alone_with_their_reason_and_the_batch_goes(app, smtp_sink):
    ids = _queued_without_delivery(app, 3)
    app.config.update(smtp_sink.config())
    # A kind without templates, and a reference the database cannot even compare (PostgreSQL aborts the
    # transaction on it): each fails, and neither stops the others nor the outcomes being recorded.
    broken = [
        OutboundEmail(kind="no_such_kind", recipient="attendee8@example.org", idempotency_key="test:kind",
                      context={}),
        OutboundEmail(kind="invitation_answered", recipient="attendee9@example.org",
                      idempotency_key="test:reference", context={"engagement_id": "not a number"}),
    ]
    db.session.add_all(broken)  # added as rows only: they go with the batch below
    db.session.execute(sa.update(OutboundEmail).values(next_attempt_at=OutboundEmail.created_at))
    db.session.commit()
    broken = [email.id for email in broken]
    delivery.deliver(broken[:1] + ids[:1] + broken[1:] + ids[1:])
    assert sorted(smtp_sink.recipients()) == [f"attendee{n}@example.org" for n in (1, 2, 3)]
    db.session.expire_all()
    for email_id in broken:
        email = db.session.get(OutboundEmail, email_id)
        assert email.state is EmailState.failed
        assert email.last_error.startswith("could not compose the message: ")
