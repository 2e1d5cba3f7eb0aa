"""A registrant whose name is in another script gives it in Latin letters too, as in their passport."""

import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.registration import handling, services
from eventsys.registration.models import Registration
from eventsys.retention import services as retention
from tests.conftest import both_databases
from tests.factories import applicant, make_event, make_organiser, registration_body, sign_in
from tests.formpage import read_form

FILLED = {"name": "Иван Петров", "name_latin": "Ivan Petrov", "email": "petrov@example.ru",
          "affiliation": "Bauman University", "country": "RU", "category": "faculty", "consent": "y"}


def _post_form(client, event, **changes):
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "Name in Latin letters" in page
    assert "If your name is written in another script, as in your passport." in page
    fields = {**FILLED, "csrf_token": read_form(page).fields["csrf_token"], **changes}
    return client.post(f"/events/{event.slug}/register", data=fields)


@both_databases
def test_a_russian_registrant_gives_his_name_in_cyrillic_and_in_latin_letters(client):
    event = make_event()
    assert _post_form(client, event).status_code == 303
    stored = db.session.scalars(sa.select(Registration)).one()
    assert (stored.name, stored.name_latin) == ("Иван Петров", "Ivan Petrov")


def test_the_latin_name_is_optional_and_takes_accents_hyphens_apostrophes_and_dots(client):
    event = make_event()
    assert _post_form(client, event, name="Li Na", name_latin="", email="li@example.cn").status_code == 303
    accented = services.register(event, applicant(2, name="Zoë Müller", name_latin="Zoë O'Brien-Müller J."))
    assert accented.name_latin == "Zoë O'Brien-Müller J."
    assert db.session.scalars(sa.select(Registration.name_latin).where(
        Registration.email == "li@example.cn")).one() == ""


def test_a_latin_name_in_another_script_is_refused_with_the_error_beside_the_field(client):
    event = make_event()
    answer = _post_form(client, event, name_latin="李娜")
    assert answer.status_code == 422
    errors = read_form(answer.get_data(as_text=True)).errors_by_field
    assert "Use Latin letters only" in errors["name_latin"][0]
    answer = _post_form(client, event, name_latin="Ivan 2 Petrov")
    assert answer.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_the_public_api_takes_the_latin_name_and_refuses_a_wrong_one_by_field(client):
    event = make_event()
    refused = client.post(f"/api/v1/events/{event.slug}/registrations",
                          json=registration_body(1, name="李娜", name_latin="李娜"))
    assert refused.status_code == 422 and "name_latin" in refused.json["errors"]
    made = client.post(f"/api/v1/events/{event.slug}/registrations",
                       json=registration_body(1, name="李娜", name_latin="Li Na"))
    assert made.status_code == 201
    assert db.session.scalars(sa.select(Registration.name_latin)).one() == "Li Na"


def test_organisers_see_it_in_the_export_and_anonymising_erases_it(client):
    event = make_event(starts_at=utcnow() + timedelta(hours=1))
    person = services.register(event, applicant(1, name="Иван Петров", name_latin="Ivan Petrov"))
    handling.check_in(event.id, person, outside_days_confirmed=True)
    make_organiser("office@example.org", event)
    sign_in(client, "office@example.org")
    text = client.get(f"/manage/events/{event.id}/registrations.csv").get_data(as_text=True)
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert dict(zip(header, row, strict=True))["Name in Latin letters"] == "Ivan Petrov"

    event.starts_at, event.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(minutes=1)
    db.session.commit()
    retention.anonymise_event(event.id)
    assert db.session.get(Registration, person.id).name_latin == ""
