"""Anonymising runs at the same moment against PostgreSQL: the event is anonymised once, without errors."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.registration.models import Registration
from eventsys.retention import services
from tests.retention.story import ended, ended_conference, figures

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_two_runs_at_once_anonymise_the_event_once(app):
    story = ended_conference(anonymise_after_days=1)
    ended(db.session.get(Event, story.event_id), timedelta(days=2))
    before = figures(story.event_id)
    flask_app = current_app._get_current_object()
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def run(work) -> None:
        with flask_app.app_context():
            try:
                barrier.wait()
                outcomes.append(work())
            except Exception as error:  # collected: the assertion below shows it
                errors.append(error)
            finally:
                db.session.remove()

    # Two beat runs and two organisers' clicks, all released together.
    click = lambda: services.anonymise_event(story.event_id)  # noqa: E731
    works = [services.anonymise_due_events, services.anonymise_due_events, click, click]
    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    # Exactly one run did the work: it counted the event (beat) or its four registrations (a click).
    assert sorted(outcomes, key=repr) in ([0, 0, 4, None], [0, 1, None, None])
    db.session.expire_all()
    assert db.session.get(Event, story.event_id).anonymised_at is not None
    names = db.session.scalars(sa.select(Registration.name).where(Registration.event_id == story.event_id))
    assert set(names) == {services.ANONYMISED_NAME}
    assert figures(story.event_id) == before
