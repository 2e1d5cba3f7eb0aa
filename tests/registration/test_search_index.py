"""On PostgreSQL the organisers' search is served by the trigram index, so a big event searches fast."""

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.registration import services
from eventsys.registration.listing import search_clause
from eventsys.registration.models import Registration
from tests.factories import applicant, make_event


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_the_search_expression_is_the_one_the_trigram_index_covers(app):
    event = make_event()
    for number in range(1, 4):
        services.register(event, applicant(number, name=f"Ivan Petrov {number}"))
    query = sa.select(Registration.id).where(search_clause("petrov 2"))
    compiled = query.compile(db.engine)
    with db.engine.connect() as connection:
        # With three rows the planner would rather scan; forbid it, to see whether the index fits at all.
        connection.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars())
        found = connection.execute(query).scalars().all()
    assert "ix_registration_search_trgm" in plan, plan
    assert len(found) == 1
