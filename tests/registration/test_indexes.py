"""On PostgreSQL the organisers' frequent queries use their own indexes, whatever the event's size."""

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.registration import checkin, handling, services
from eventsys.registration.listing import search_clause
from eventsys.registration.models import Registration
from tests.factories import applicant, make_event


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_the_search_expression_is_the_one_the_trigram_index_covers(app):
    event = make_event()
    for number in range(1, 4):
        services.register(event, applicant(number, name=f"Ivan Petrov {number}"))
    query = sa.select(Registration.id).where(search_clause("petrov 2"))
    assert "ix_registration_search_trgm" in _plan(query)
    assert len(db.session.scalars(query).all()) == 1


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_the_check_in_count_reads_only_the_checked_in(app):
    event = make_event()
    registrations = [services.register(event, applicant(number)) for number in range(1, 4)]
    handling.check_in(event.id, registrations[0], outside_days_confirmed=True)
    assert "ix_registration_event_id_checked_in" in _plan(checkin.counts_query(event.id))
    assert checkin.counts(event).checked_in == 1


def _plan(query) -> str:
    """PostgreSQL's plan for the query, on a table too small to be worth an index unless forced."""
    compiled = query.compile(db.engine)
    with db.engine.connect() as connection:
        # With three rows the planner would rather scan; forbid it, to see whether the index fits at all.
        connection.exec_driver_sql("SET enable_seqscan = off")
        return "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars())
