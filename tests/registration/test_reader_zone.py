"""A registrant's own time zone: given on the form or the API, checked, and used in their emails."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.registration import services
from eventsys.registration.models import Registration
from tests.factories import applicant, make_event, registration_body
from tests.formpage import read_form

# Munich's clocks go forward on Sunday 28 March 2027: the week's two days either side of it.
SATURDAY_10_IN_HARBIN = datetime(2027, 3, 27, 2, tzinfo=UTC)
MONDAY_10_IN_HARBIN = datetime(2027, 3, 29, 2, tzinfo=UTC)
both_databases = pytest.mark.parametrize("app", ["sqlite", "postgresql"], indirect=True)


def _form(client, event) -> dict:
    fields = read_form(client.get(f"/events/{event.slug}/register").get_data(as_text=True)).fields
    return {"csrf_token": fields["csrf_token"], "name": "Anna Schmidt", "email": "anna@example.org",
            "country": "DE", "category": "faculty", "consent": "y"}


def test_the_form_asks_for_the_zone_and_stores_it(client):
    event = make_event()
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert 'name="timezone"' in page and 'data-prefill-zone="browser"' in page
    assert '<option value="Europe/Berlin">Berlin — Europe/Berlin</option>' in page
    answer = client.post(f"/events/{event.slug}/register",
                         data={**_form(client, event), "timezone": "Europe/Berlin"})
    assert answer.status_code == 303
    assert db.session.scalars(sa.select(Registration.timezone)).one() == "Europe/Berlin"


def test_no_zone_is_fine_and_a_made_up_one_is_refused_next_to_its_field(client):
    event = make_event()
    refused = client.post(f"/events/{event.slug}/register",
                          data={**_form(client, event), "timezone": "Mars/Olympus"})
    assert refused.status_code == 422
    form = read_form(refused.get_data(as_text=True))
    assert form.errors_by_field["timezone"] == [
        "Choose your time zone from the list (such as Europe/Moscow)."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    assert client.post(f"/events/{event.slug}/register", data=_form(client, event)).status_code == 303
    assert db.session.scalars(sa.select(Registration.timezone)).one() is None


def test_the_api_takes_the_zone_and_refuses_a_made_up_one(client):
    event = make_event()
    path = f"/api/v1/events/{event.slug}/registrations"
    refused = client.post(path, json={**registration_body(1), "timezone": "Europe/Atlantis"})
    assert refused.status_code == 422
    assert refused.get_json() == {"errors": {"timezone": [
        "Choose your time zone from the list (such as Europe/Moscow)."]}}
    assert client.post(path, json={**registration_body(2), "timezone": "America/New_York"}).status_code == 201
    assert db.session.scalars(sa.select(Registration.timezone)).one() == "America/New_York"


@both_databases
def test_emails_show_the_event_s_time_and_the_registrant_s_across_munich_s_clock_change(app, smtp_sink):
    app.config.update(smtp_sink.config())
    before = make_event(timezone="Asia/Harbin", starts_at=SATURDAY_10_IN_HARBIN,
                        ends_at=SATURDAY_10_IN_HARBIN + timedelta(hours=8))
    after = make_event(timezone="Asia/Harbin", starts_at=MONDAY_10_IN_HARBIN,
                       ends_at=MONDAY_10_IN_HARBIN + timedelta(hours=8))
    services.register(before, applicant(1, email="anna@example.org", timezone="Europe/Berlin"))
    services.register(after, applicant(1, email="anna@example.org", timezone="Europe/Berlin", locale="ru"))
    services.register(after, applicant(2, email="wang@example.org"))
    first, second = (message.get_body(("plain",)).get_content()
                     for message in smtp_sink.to("anna@example.org"))
    assert "When: Sat, 27 Mar 2027, 10:00 Harbin time (GMT+08:00) / 03:00 Berlin time" in first
    assert "18:00 Harbin time (GMT+08:00) / 11:00 Berlin time" in first
    assert "10:00 (Харбин, GMT+08:00) / 04:00 (Берлин)" in second
    [alone] = (message.get_body(("plain",)).get_content() for message in smtp_sink.to("wang@example.org"))
    assert "Mon, 29 Mar 2027, 10:00 Harbin time (GMT+08:00)\n" in alone.replace("\r\n", "\n")
