"""One registration per person: the rule compares mailboxes, however the address is spelt."""

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from eventsys import create_app
from eventsys.database import db, utcnow
from eventsys.registration.mailboxes import canonical_mailbox
from tests import servers
from tests.conftest import both_databases
from tests.factories import make_event, registration_body

ALREADY = {"errors": {"email": ["This email address is already registered for this event."]}}

#: the same inbox as attendee@example.org, spelt so that a lower-cased comparison sees another person
SAME_PERSON = [
    "Attendee+lecture@example.org",  # plus-addressing
    "ａｔｔｅｎｄｅｅ@example.org",  # fullwidth letters
    "\u0430ttendee@example.org",  # a Cyrillic а
    "att\u0435nd\u0435\u0435@\u0435xample.org",  # Cyrillic е, in the domain too
    "ATTENDEE@EXAMPLE.ORG",
]


@both_databases
@pytest.mark.parametrize("spelling", SAME_PERSON)
def test_another_spelling_of_a_registered_mailbox_is_refused(app, client, spelling):
    event = make_event()
    first = client.post(f"/api/v1/events/{event.slug}/registrations",
                        json=registration_body(1, email="attendee@example.org"))
    assert first.status_code == 201

    again = client.post(f"/api/v1/events/{event.slug}/registrations",
                        json=registration_body(2, email=spelling))

    assert (again.status_code, again.json) == (409, ALREADY)


@both_databases
def test_different_people_and_a_cancelled_one_register(app, client):
    event = make_event()
    path = f"/api/v1/events/{event.slug}/registrations"
    first = client.post(path, json=registration_body(1, email="attendee@example.org"))
    for number, email in enumerate(["attendee2@example.org", "attendee@example.com",
                                    "иван@почта.рф", "attendee@xn--bcher-kva.example"], start=2):
        assert client.post(path, json=registration_body(number, email=email)).status_code == 201
    # The same IDN domain, typed in Unicode: the same person as the xn-- spelling.
    assert client.post(path, json=registration_body(9, email="attendee@bücher.example")).status_code == 409

    page = client.get(first.json["manage_url"].replace("http://events.test", ""))
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    client.post(f"/r/{first.json['token']}/cancel", data={"csrf_token": token})
    again = client.post(path, json=registration_body(10, email="Attendee+again@example.org"))
    assert again.status_code == 201


def test_canonical_mailboxes_read_as_a_person_would():
    assert canonical_mailbox("Anna.Petrova+ISSC@Example.ORG") == "anna.petrova@example.org"
    assert canonical_mailbox("ｐｅｔｒｏｖ@ｍｓｕ.ｒｕ") == "petrov@msu.ru"
    assert canonical_mailbox("+tag@example.org") == "+tag@example.org"
    # A Russian mailbox stays Russian where no letter imitates a Latin one.
    assert canonical_mailbox("иван@почта.рф").startswith("ив")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_keys_stored_registrations_and_keeps_pairs_accepted_before(backend, tmp_path):
    url = (f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite"
           else servers.create_postgres_database("eventsys_mailbox"))
    try:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade(revision="5d0e8f3a2c71")
            now = utcnow()
            with db.engine.begin() as connection:
                tables = sa.MetaData()
                tables.reflect(connection, only=["event", "registration"])
                connection.execute(tables.tables["event"].insert().values(
                    id=1, slug="old", kind="lecture", mode="in_person", title="Old", summary="",
                    description="", starts_at=now, ends_at=now, timezone="UTC", venue="Hall",
                    status="published", confirmed_count=3, waitlisted_count=0, waitlist_seq=0, language="en",
                    requires_approval=False, created_at=now, updated_at=now, calendar_sequence=0))
                people = [("anna@example.org", "confirmed"), ("anna+old@example.org", "confirmed"),
                          ("boris@example.org", "cancelled"), ("boris@example.org", "confirmed")]
                connection.execute(tables.tables["registration"].insert(), [
                    dict(id=number, event_id=1, name="P", email=email, affiliation="", country="RU",
                         category="student", answers={}, status=status, token=f"t{number}", locale="en",
                         created_at=now, consented_at=now)
                    for number, (email, status) in enumerate(people, start=1)])
            upgrade()
            keys = dict(db.session.execute(sa.text("SELECT id, email_key FROM registration")).all())
            db.engine.dispose()
        assert keys[3] == keys[4]  # a cancelled registration and the person's new one
        assert len({keys[1], keys[2], keys[4]}) == 3  # both accepted under the old rule stay
    finally:
        if backend == "postgresql":
            servers.drop_postgres_database(url)
