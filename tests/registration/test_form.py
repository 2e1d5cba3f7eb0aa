"""Registering through the real HTML form, CSRF token and all."""

import sqlalchemy as sa

from eventsys.database import db
from eventsys.registration.models import QuestionKind, Registration, RegistrationStatus
from tests.factories import add_question, make_event
from tests.formpage import read_form

FILLED = {
    "name": "Li Wei",
    "email": "li.wei@example.org",
    "affiliation": "Tohoku University",
    "country": "JP",
    "category": "student",
    "consent": "y",
}


def _open_form(client, event):
    page = client.get(f"/events/{event.slug}/register")
    assert page.status_code == 200
    return read_form(page.get_data(as_text=True))


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_a_visitor_registers_with_the_form_and_lands_on_their_page(client):
    event = make_event(capacity=10)
    form = _open_form(client, event)
    response = client.post(
        f"/events/{event.slug}/register", data={**FILLED, "csrf_token": form.fields["csrf_token"]}
    )
    assert response.status_code == 303
    registration = db.session.scalars(sa.select(Registration)).one()
    assert response.headers["Location"].endswith(f"/r/{registration.token}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "your registration is recorded" in page
    assert "Your seat is confirmed" in page
    assert (registration.name, registration.country) == ("Li Wei", "JP")
    assert registration.email == "li.wei@example.org"


def test_a_form_without_csrf_token_is_refused_and_nothing_is_saved(client):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register", data=FILLED)
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)
    assert _count() == 0


def test_every_error_is_shown_next_to_its_field_at_once_with_a_4xx(client):
    event = make_event()
    guests = add_question(event, QuestionKind.number, "Accompanying persons")
    team = add_question(event, QuestionKind.text, "Team name", required=True)
    form = _open_form(client, event)
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            **FILLED,
            "email": "li.wei@",
            "country": "ZZ",
            "consent": "",
            f"q_{guests.id}": "two",
            "csrf_token": form.fields["csrf_token"],
        },
    )
    assert response.status_code == 422
    shown = read_form(response.get_data(as_text=True))
    assert shown.errors_by_field["country"] == ["Choose your country from the list."]
    assert shown.errors_by_field["consent"] == ["We need your consent to register you."]
    assert "Something is missing after the @." in shown.errors_by_field["email"][0]
    assert shown.errors_by_field[f"q_{guests.id}"] == ["Enter a number."]
    assert shown.errors_by_field[f"q_{team.id}"] == ["This question needs an answer."]
    assert "name" not in shown.errors_by_field
    assert shown.fields["name"] == "Li Wei", "what the person typed is kept"
    assert _count() == 0


def test_a_person_who_skips_the_drop_downs_reads_plain_words_and_the_api_still_names_the_codes(client):
    event = make_event()
    form = _open_form(client, event)
    response = client.post(f"/events/{event.slug}/register", data={
        **FILLED, "email": "", "country": "", "category": "", "csrf_token": form.fields["csrf_token"]})
    assert response.status_code == 422
    shown = read_form(response.get_data(as_text=True)).errors_by_field
    assert shown == {"email": ["Enter your email address."],
                     "country": ["Choose your country from the list."],
                     "category": ["Choose what describes you from the list."]}
    assert "ISO" not in response.get_data(as_text=True)

    api = client.post(f"/api/v1/events/{event.slug}/registrations",
                      json={**{k: v for k, v in FILLED.items() if k != "consent"}, "consent": True,
                            "country": "Japan"})
    assert api.status_code == 422
    assert api.get_json()["errors"] == {"country": [
        "Choose a country from the list (ISO 3166 code such as RU or CN)."]}
    assert _count() == 0


def test_with_consent_but_a_bad_answer_nothing_is_registered(client):
    event = make_event()
    guests = add_question(event, QuestionKind.number, "Accompanying persons")
    token = _open_form(client, event).fields["csrf_token"]
    response = client.post(
        f"/events/{event.slug}/register", data={**FILLED, f"q_{guests.id}": "many", "csrf_token": token}
    )
    assert response.status_code == 422
    assert read_form(response.get_data(as_text=True)).errors_by_field == {
        f"q_{guests.id}": ["Enter a number."]
    }
    assert _count() == 0


def test_questions_of_every_kind_are_asked_and_answered(client):
    event = make_event()
    diet = add_question(event, QuestionKind.single_choice, "Diet", options=["Halal", "Vegetarian"])
    sessions = add_question(event, QuestionKind.multiple_choice, "Sessions", options=["A", "B"])
    poster = add_question(event, QuestionKind.yes_no, "Poster?", required=True)
    arrival = add_question(event, QuestionKind.date, "Arrival")
    html = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    for label in ("Diet", "Sessions", "Poster?", "Arrival"):
        assert label in html
    token = read_form(html).fields["csrf_token"]
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            **FILLED,
            f"q_{diet.id}": "Halal",
            f"q_{sessions.id}": ["A", "B"],
            f"q_{poster.id}": "yes",
            f"q_{arrival.id}": "2026-12-01",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    registration = db.session.scalars(sa.select(Registration)).one()
    assert registration.answers == {
        str(diet.id): "Halal",
        str(sessions.id): ["A", "B"],
        str(poster.id): True,
        str(arrival.id): "2026-12-01",
    }


def test_the_form_shows_each_question_as_it_is_after_every_edit(client):
    # Form classes are made once per set of questions (registration.forms): an edit must
    # never show a visitor the question as it was.
    event = make_event()
    diet = add_question(event, QuestionKind.single_choice, "Diet", options=["Halal", "Vegetarian"])
    other = make_event()
    add_question(other, QuestionKind.single_choice, "Diet", options=["Halal", "Vegetarian"])
    assert "Vegetarian" in client.get(f"/events/{event.slug}/register").get_data(as_text=True)

    diet.label, diet.options, diet.required = "Meals", ["Halal", "Kosher"], True
    db.session.commit()
    form = _open_form(client, event)
    html = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "Meals" in html and "Kosher" in html and "Vegetarian" not in html
    token = form.fields["csrf_token"]
    missing = client.post(f"/events/{event.slug}/register", data={**FILLED, "csrf_token": token})
    assert missing.status_code == 422 and _count() == 0
    assert "Vegetarian" in client.get(f"/events/{other.slug}/register").get_data(as_text=True)


def test_registering_twice_points_to_the_existing_registration(client):
    event = make_event()
    token = _open_form(client, event).fields["csrf_token"]
    client.post(f"/events/{event.slug}/register", data={**FILLED, "csrf_token": token})
    again = client.post(
        f"/events/{event.slug}/register", data={**FILLED, "email": "LI.WEI@example.org", "csrf_token": token}
    )
    assert again.status_code == 409
    assert "already registered for this event" in again.get_data(as_text=True)
    assert _count() == 1


def test_a_full_event_puts_the_visitor_on_the_waiting_list_and_says_where(client):
    event = make_event(capacity=0)
    html = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "registering puts you on the waiting list" in html
    response = client.post(
        f"/events/{event.slug}/register", data={**FILLED, "csrf_token": read_form(html).fields["csrf_token"]}
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "waiting list, number <strong>1</strong>" in page


def test_closed_registration_explains_why(client):
    cancelled = make_event(status="cancelled")
    draft = make_event(status="draft")
    response = client.get(f"/events/{cancelled.slug}/register")
    assert response.status_code == 410 and "has been cancelled" in response.get_data(as_text=True)
    response = client.get(f"/events/{draft.slug}/register")
    assert response.status_code == 403 and "not open for registration" in response.get_data(as_text=True)


def test_the_attendee_cancels_from_their_page_and_the_seat_passes_on(client):
    event = make_event(capacity=1)
    token = _open_form(client, event).fields["csrf_token"]
    first = client.post(f"/events/{event.slug}/register", data={**FILLED, "csrf_token": token})
    client.post(
        f"/events/{event.slug}/register", data={**FILLED, "email": "second@example.org", "csrf_token": token}
    )
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    cancel_token = read_form(page).fields["csrf_token"]
    done = client.post(first.headers["Location"] + "/cancel", data={"csrf_token": cancel_token})
    assert done.status_code == 303
    assert "This registration is cancelled" in client.get(first.headers["Location"]).get_data(as_text=True)
    second = db.session.scalars(
        sa.select(Registration).where(Registration.email == "second@example.org")
    ).one()
    assert second.status is RegistrationStatus.confirmed
    refused = client.post(first.headers["Location"] + "/cancel", data={})
    assert refused.status_code == 400


def test_an_unknown_self_service_token_is_not_found(client):
    assert client.get("/r/not-a-token").status_code == 404


def test_the_self_service_page_does_not_leak_its_link_to_other_sites(client):
    event = make_event()
    token = _open_form(client, event).fields["csrf_token"]
    page = client.get(client.post(f"/events/{event.slug}/register",
                                  data={**FILLED, "csrf_token": token}).headers["Location"])
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Frame-Options"] == "DENY"
