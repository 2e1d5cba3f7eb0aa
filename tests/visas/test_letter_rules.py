"""Who may ask for a letter, what a request must hold, and the organisers' other decisions."""

import re
from datetime import timedelta

import sqlalchemy as sa

from eventsys.database import db
from eventsys.registration import services as registration
from eventsys.visas.models import LetterStatus, VisaLetter
from tests.factories import applicant, make_event, make_organiser, sign_in
from tests.formpage import read_form
from tests.visas.conftest import request_fields


def _request(client, token: str, **overrides):
    path = f"/r/{token}/visa-letter"
    return client.post(path, data=request_fields(client, path, **overrides))


def _decide(organiser_client, event, letter_id: int, decision: str, reason: str = ""):
    page = organiser_client.get(f"/manage/events/{event.id}/visa-letters/{letter_id}")
    token = read_form(page.get_data(as_text=True)).fields["csrf_token"]
    return organiser_client.post(
        f"/manage/events/{event.id}/visa-letters/{letter_id}/{decision}",
        data={"csrf_token": token, "reason": reason},
    )


def test_bad_details_are_refused_next_to_their_fields_and_nothing_is_stored(client, letters_event):
    person = registration.register(letters_event, applicant(1, country="UA"))
    answer = _request(
        client,
        person.token,
        passport_number="12-3",
        nationality="XX",
        date_of_birth="2031-01-01",
        arrival_on="2027-04-18",
        departure_on="2027-04-17",
        consulate="",
    )
    assert answer.status_code == 422
    errors = read_form(answer.get_data(as_text=True)).errors_by_field
    assert errors["passport_number"] == ["A passport number has 5 to 20 letters and digits."]
    assert errors["nationality"] == ["Choose your nationality from the list."]
    assert errors["consulate"] == [
        "Name the embassy or consulate, e.g. the Consulate-General of China in Munich."
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisaLetter)) == 0

    # The dates, once the form itself is fine: checked against the event and each other.
    answer = _request(
        client, person.token, date_of_birth="2031-01-01", arrival_on="2027-04-18", departure_on="2027-04-17"
    )
    errors = read_form(answer.get_data(as_text=True)).errors_by_field
    assert answer.status_code == 422
    assert errors["date_of_birth"] == ["The date of birth must be in the past."]
    assert errors["arrival_on"] == ["Arrive by the last day of the event."]
    assert errors["departure_on"] == ["The departure must not be before the arrival."]
    answer = _request(client, person.token, arrival_on="2027-01-01", departure_on="2027-04-13")
    assert read_form(answer.get_data(as_text=True)).errors_by_field["departure_on"] == [
        "A stay for the event is at most 90 days."
    ]
    answer = _request(client, person.token, date_of_birth="not a date")
    assert read_form(answer.get_data(as_text=True)).errors_by_field["date_of_birth"] == [
        "Not a valid date value."
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisaLetter)) == 0


def test_only_travellers_from_abroad_with_a_seat_at_an_event_that_offers_letters_may_ask(
    app, client, letters_event
):
    at_home = registration.register(letters_event, applicant(1, country="CN"))
    page = client.get(f"/r/{at_home.token}").get_data(as_text=True)
    assert "visa-letter" not in page
    answer = _request(client, at_home.token)
    assert answer.status_code == 422 and "for participants travelling from abroad" in answer.get_data(
        as_text=True
    )

    other = make_event()  # offers no letters
    abroad = registration.register(other, applicant(2, country="DE"))
    assert "visa-letter" not in client.get(f"/r/{abroad.token}").get_data(as_text=True)
    page = client.get(f"/r/{abroad.token}/visa-letter").get_data(as_text=True)
    assert 'id="not-eligible"' in page and "does not offer visa invitation letters" in page

    full = make_event(capacity=1, offers_visa_letters=True)
    registration.register(full, applicant(3, country="DE"))
    waiting = registration.register(full, applicant(4, country="DE"))
    page = client.get(f"/r/{waiting.token}/visa-letter").get_data(as_text=True)
    assert "once your seat is confirmed" in page and "<form" not in page.split("not-eligible")[1]

    app.config["PASSPORT_KEYS"] = ""  # an installation without the key stores no passport details at all
    person = registration.register(letters_event, applicant(5, country="DE"))
    answer = _request(client, person.token)
    assert answer.status_code == 422 and "cannot be requested at the moment" in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisaLetter)) == 0
    assert client.get("/r/not-a-token/visa-letter").status_code == 404


def test_one_open_request_per_person_and_a_new_one_after_a_rejection(
    client, letters_event, organiser_client, mail_dir
):
    person = registration.register(letters_event, applicant(1, country="RU"))
    assert _request(client, person.token).status_code == 303
    again = _request(client, person.token)  # the form is gone from the page, but a replayed POST may come
    assert again.status_code == 422 and "already requested a letter" in again.get_data(as_text=True)
    letter = db.session.scalars(sa.select(VisaLetter)).one()

    no_reason = _decide(organiser_client, letters_event, letter.id, "reject")
    assert no_reason.status_code == 422
    assert read_form(no_reason.get_data(as_text=True)).errors_by_field["reason"] == [
        "Say why, for the requester."
    ]
    assert (
        _decide(
            organiser_client,
            letters_event,
            letter.id,
            "reject",
            "The stay must end within a week of the event.",
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(VisaLetter, letter.id).status is LetterStatus.rejected
    rejection = [p.read_text() for p in mail_dir.glob("*.eml") if "visa letter request" in p.read_text()]
    assert len(rejection) == 1 and "The stay must end within a week of the event." in rejection[0]
    assert "within a week" in client.get(f"/r/{person.token}/visa-letter").get_data(as_text=True)
    assert _request(client, person.token, departure_on="2027-04-15").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisaLetter)) == 2
    # a decided request is not decided twice
    assert _decide(organiser_client, letters_event, letter.id, "approve").status_code == 422


def test_a_revoked_letter_says_so_and_is_no_longer_downloadable_and_a_made_up_reference_tells_nothing(
    app, client, letters_event, organiser_client, smtp_sink
):
    app.config.update(smtp_sink.config())
    person = registration.register(letters_event, applicant(1, country="UA", email="olena@khai.example"))
    _request(client, person.token, full_name="Коваленко Олена")
    letter = db.session.scalars(sa.select(VisaLetter)).one()
    assert _decide(organiser_client, letters_event, letter.id, "approve").status_code == 303
    issued = smtp_sink.to("olena@khai.example")[-1].get_body(("plain",)).get_content()
    download = re.search(r"http://events\.test(/visa-letters/[^\s]+/letter\.pdf)", issued).group(1)
    assert client.get(download).status_code == 200

    assert (
        _decide(
            organiser_client,
            letters_event,
            letter.id,
            "revoke",
            "The participant withdrew from the conference.",
        ).status_code
        == 303
    )
    db.session.expire_all()
    letter = db.session.get(VisaLetter, letter.id)
    verdict = client.get(f"/verify/letters/{letter.reference.lower()}")  # as typed by hand
    page = verdict.get_data(as_text=True)
    assert verdict.status_code == 200 and 'data-verdict="revoked"' in page and "Revoked." in page
    assert "К" + "*" * 8 + " О" + "*" * 4 in page  # Коваленко Олена
    gone = client.get(download)
    assert gone.status_code == 410 and "withdrawn" in gone.get_data(as_text=True)
    assert "withdrawn" in smtp_sink.to("olena@khai.example")[-1]["Subject"]

    made_up = client.get("/verify/letters/VL-2027-ABCDEF")
    page = made_up.get_data(as_text=True)
    assert made_up.status_code == 404 and 'data-verdict="unknown"' in page
    assert letters_event.title not in page
    assert client.get(f"/verify/letters?reference={letter.reference}").status_code == 303
    assert client.get("/visa-letters/forged-token/letter.pdf").status_code == 404


def test_another_event_s_organisers_see_no_letter_and_strangers_nothing(app, letters_event, organiser_client):
    person = registration.register(letters_event, applicant(1, country="RU"))
    client = app.test_client()
    _request(client, person.token)
    letter = db.session.scalars(sa.select(VisaLetter)).one()
    other_event = make_event()
    make_organiser("other@hit.example", other_event)
    other = app.test_client()
    sign_in(other, "other@hit.example")
    base = f"/manage/events/{letters_event.id}/visa-letters"
    assert other.get(base).status_code == 403
    assert other.get(f"{base}/{letter.id}").status_code == 403
    # through their own event's address, the letter is not theirs: 404, as for an unknown id
    assert other.get(f"/manage/events/{other_event.id}/visa-letters/{letter.id}").status_code == 404
    assert app.test_client().get(f"{base}/{letter.id}").status_code == 302  # to the sign-in page
    assert "751234567" not in other.get(f"/manage/events/{other_event.id}/visa-letters").get_data(
        as_text=True
    )


def test_the_event_s_organisers_open_and_close_letter_requests(app, letters_event, organiser_client):
    base = f"/manage/events/{letters_event.id}/visa-letters"
    token = read_form(organiser_client.get(base).get_data(as_text=True)).fields["csrf_token"]
    assert organiser_client.post(f"{base}/offer", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert letters_event.offers_visa_letters is False
    assert organiser_client.post(f"{base}/offer", data={"offered": "y"}).status_code == 400  # no CSRF token
    db.session.expire_all()
    assert letters_event.offers_visa_letters is False
    organiser_client.post(f"{base}/offer", data={"csrf_token": token, "offered": "y"})
    db.session.expire_all()
    assert letters_event.offers_visa_letters is True


def test_passport_details_expire_with_the_retention_period_and_the_reference_stays(
    app, client, letters_event, organiser_client
):
    from eventsys.visas import services

    person = registration.register(letters_event, applicant(1, country="RU"))
    _request(client, person.token)
    letter = db.session.scalars(sa.select(VisaLetter)).one()
    _decide(organiser_client, letters_event, letter.id, "approve")
    db.session.expire_all()
    reference = db.session.get(VisaLetter, letter.id).reference

    ended = letters_event.ends_at
    assert services.erase_due_passport_data(now=ended + timedelta(days=29)) == 0
    assert services.erase_due_passport_data(now=ended + timedelta(days=30, minutes=1)) == 1
    db.session.expire_all()
    letter = db.session.get(VisaLetter, letter.id)
    assert letter.passport_data is None and letter.letter_pdf is None and letter.erased_at is not None
    assert letter.reference == reference and letter.status is LetterStatus.approved
    page = organiser_client.get(f"/manage/events/{letters_event.id}/visa-letters/{letter.id}")
    assert 'id="erased"' in page.get_data(as_text=True) and "751234567" not in page.get_data(as_text=True)
    verdict = client.get(f"/verify/letters/{reference}").get_data(as_text=True)
    assert "И***** П*** С*******" in verdict  # the embassy can still check it
    assert services.erase_due_passport_data(now=ended + timedelta(days=31)) == 0
