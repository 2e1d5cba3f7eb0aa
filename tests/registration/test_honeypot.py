"""The registration form's honeypot: a field people never see, that form-filling bots fill."""

import re

import sqlalchemy as sa

from eventsys.database import db
from eventsys.mail.models import OutboundEmail
from eventsys.registration.models import Registration
from tests.factories import make_event
from tests.formpage import read_form

FILLED = {"name": "Li Wei", "email": "li.wei@example.org", "country": "JP", "category": "student",
          "consent": "y"}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _open(client, event):
    page = client.get(f"/events/{event.slug}/register")
    return page.get_data(as_text=True), read_form(page.get_data(as_text=True))


def test_the_honeypot_is_hidden_from_people_and_kept_out_of_the_tab_order(client):
    html, form = _open(client, make_event())
    assert form.fields.get("website") == ""
    field = re.search(r"<input[^>]*name=\"website\"[^>]*>", html).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    wrapper = html[:html.index(field)].rsplit("<div", 1)[1]
    assert "hidden" in wrapper and 'aria-hidden="true"' in wrapper


def test_a_filled_honeypot_is_refused_quietly_and_nothing_is_stored(client):
    event = make_event(capacity=10)
    _, form = _open(client, event)
    response = client.post(f"/events/{event.slug}/register", data={
        **FILLED, "website": "http://spam.example", "csrf_token": form.fields["csrf_token"]})

    assert response.status_code == 422
    assert "could not take this registration" in response.get_data(as_text=True)
    assert _count(Registration) == 0
    assert _count(OutboundEmail) == 0


def test_a_person_who_leaves_it_empty_registers(client):
    event = make_event(capacity=10)
    _, form = _open(client, event)
    response = client.post(f"/events/{event.slug}/register", data={
        **FILLED, "website": "", "csrf_token": form.fields["csrf_token"]})
    assert response.status_code == 303
    assert _count(Registration) == 1
