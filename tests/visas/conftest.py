"""What the visa-letter tests share: an event that offers letters, its organiser, and the request form."""

from datetime import UTC, datetime, timedelta

import pytest

from eventsys.database import db
from tests.factories import make_event, make_organiser, sign_in
from tests.formpage import read_form

#: the event: 12-14 April 2027 in Harbin
STARTS = datetime(2027, 4, 12, 1, 0, tzinfo=UTC)
ORGANISER = "visa-office@hit.example"


@pytest.fixture
def letters_event(app):
    """A published conference in Harbin that offers visa letters."""
    event = make_event(
        title="7th International Conference on Smart Materials",
        timezone="Asia/Harbin",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(days=2, hours=8),
        venue="Main Building, Harbin Institute of Technology",
        offers_visa_letters=True,
    )
    db.session.commit()
    return event


@pytest.fixture
def organiser_client(app, letters_event):
    """A browser signed in as the event's organiser."""
    make_organiser(ORGANISER, letters_event)
    client = app.test_client()
    sign_in(client, ORGANISER)
    return client


def request_fields(client, path: str, **overrides) -> dict:
    """The request form's fields, filled as a traveller would (with the page's CSRF token)."""
    # A page that shows no form (the person may not ask) still gets a POST replayed: take the
    # session's token from another form then.
    fields = read_form(client.get(path).get_data(as_text=True)).fields
    token = (
        fields.get("csrf_token")
        or read_form(client.get("/login").get_data(as_text=True)).fields["csrf_token"]
    )
    fields = {
        "csrf_token": token,
        "full_name": "Иванов Пётр Сергеевич",
        "passport_number": "75 1234567",
        "nationality": "RU",
        "date_of_birth": "1980-05-17",
        "arrival_on": "2027-04-10",
        "departure_on": "2027-04-16",
        "purpose": "To present a paper at the conference",
        "consulate": "Consulate-General of the PRC in Saint Petersburg",
    }
    fields.update(overrides)
    return fields
