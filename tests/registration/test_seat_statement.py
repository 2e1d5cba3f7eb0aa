"""The one statement that takes a seat on PostgreSQL stays cheap to send, and writes what it was given."""

from datetime import UTC, datetime

import pytest
from psycopg import _queries as psycopg_queries

from eventsys.database import db
from eventsys.mail.models import OutboundEmail
from eventsys.registration import seats, services
from eventsys.registration.models import Registration, RegistrationStatus
from tests.factories import applicant, make_event


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_the_seat_statement_is_short_enough_for_psycopg_to_keep_its_parsed_form(app):
    # Above this length psycopg parses the whole text again on every execution: with the
    # statement at 4,522 characters that was a tenth of a registration's CPU under load.
    text = str(seats._postgresql_statement().compile(dialect=db.engine.dialect))
    assert len(text) <= psycopg_queries.MAX_CACHED_STATEMENT_LENGTH, (
        f"the seat statement is {len(text)} characters; psycopg caches its parsing only up to "
        f"{psycopg_queries.MAX_CACHED_STATEMENT_LENGTH}: write constants with seats.constant() and "
        "let the driver type strings and times (seats._as_sent)"
    )


@pytest.mark.parametrize("app", ["sqlite", "postgresql"], indirect=True)
def test_values_sent_without_a_cast_are_stored_as_given(app):
    event = make_event(capacity=1)
    first = services.register(event, applicant(1, name="Zoë Ødegaard", affiliation="Université Paris-Saclay",
                                               country="FR"))
    second = services.register(event, applicant(2, country="UA"))
    db.session.expire_all()

    stored = db.session.get(Registration, first.id)
    assert (stored.name, stored.affiliation, stored.country) == (
        "Zoë Ødegaard", "Université Paris-Saclay", "FR")
    assert stored.status is RegistrationStatus.confirmed
    assert stored.created_at.tzinfo is not None
    assert abs((datetime.now(UTC) - stored.created_at).total_seconds()) < 60
    waiting = db.session.get(Registration, second.id)
    assert (waiting.status, waiting.waitlist_number) == (RegistrationStatus.waitlisted, 1)
    emails = db.session.scalars(db.select(OutboundEmail).order_by(OutboundEmail.id)).all()
    assert [(e.kind, e.recipient, e.idempotency_key) for e in emails] == [
        ("registration_confirmed", stored.email, f"registration_confirmed:registration:{stored.id}"),
        ("registration_waitlisted", waiting.email, f"registration_waitlisted:registration:{waiting.id}"),
    ]
    assert emails[0].next_attempt_at == emails[0].created_at == stored.created_at


def test_only_our_own_names_are_written_into_sql():
    assert str(seats.constant("registration_")) == "'registration_'"
    assert str(seats.constant(0)) == "0"
    with pytest.raises(ValueError, match="not a safe SQL constant"):
        seats.constant("x'; DROP TABLE registration; --")
