"""Passport details: readable by the event's managers only, with the key, and nowhere else."""

import logging
import threading

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from eventsys.database import db
from eventsys.registration import services as registration
from eventsys.visas import passports, services
from eventsys.visas.models import LetterStatus, VisaLetter
from tests.factories import applicant
from tests.formpage import read_form
from tests.visas.conftest import request_fields

PASSPORT = "751234567"
NAME = "Иванов Пётр Сергеевич"


def _requested(client, event) -> VisaLetter:
    person = registration.register(event, applicant(1, name="Petr Ivanov", country="RU"))
    path = f"/r/{person.token}/visa-letter"
    assert client.post(path, data=request_fields(client, path)).status_code == 303
    return db.session.scalars(sa.select(VisaLetter)).one()


def _approve(organiser_client, event, letter_id: int):
    page = organiser_client.get(f"/manage/events/{event.id}/visa-letters/{letter_id}")
    token = read_form(page.get_data(as_text=True)).fields["csrf_token"]
    return organiser_client.post(
        f"/manage/events/{event.id}/visa-letters/{letter_id}/approve", data={"csrf_token": token}
    )


def test_the_database_holds_no_readable_passport_and_another_key_cannot_open_it(
    app, client, letters_event, organiser_client
):
    letter = _requested(client, letters_event)
    _approve(organiser_client, letters_event, letter.id)
    with db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT * FROM visa_letter")).mappings().one()
    stored = b" ".join(value if isinstance(value, bytes) else str(value).encode() for value in row.values())
    assert PASSPORT.encode() not in stored and NAME.encode() not in stored
    assert "Иванов".encode() not in stored and b"1980-05-17" not in stored
    assert b"%PDF" not in stored  # the letter, which prints them, is encrypted too

    app.config["PASSPORT_KEYS"] = Fernet.generate_key().decode()  # a database copied elsewhere
    with pytest.raises(passports.UnreadablePassportData):
        passports.unseal(row["passport_data"])
    page = organiser_client.get(f"/manage/events/{letters_event.id}/visa-letters/{letter.id}")
    assert page.status_code == 200 and PASSPORT not in page.get_data(as_text=True)
    assert "a key this installation no longer has" in page.get_data(as_text=True)

    app.config["PASSPORT_KEYS"] = ""  # the key left out of the settings altogether: a page, not a 500
    page = organiser_client.get(f"/manage/events/{letters_event.id}/visa-letters/{letter.id}")
    assert page.status_code == 200 and PASSPORT not in page.get_data(as_text=True)
    assert "This server has no key for passport details" in page.get_data(as_text=True)


def test_no_log_export_api_or_outbox_page_shows_them(app, client, letters_event, organiser_client, caplog):
    caplog.set_level(logging.DEBUG)
    letter = _requested(client, letters_event)
    _approve(organiser_client, letters_event, letter.id)
    app.logger.info("a line so the capture is known to work")

    logged = "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)
    assert "a line so the capture is known to work" in logged
    assert PASSPORT not in logged and "Иванов" not in logged

    event_id = letters_event.id
    pages = [
        f"/manage/events/{event_id}/registrations",
        f"/manage/events/{event_id}/registrations.csv",
        f"/manage/events/{event_id}/registrations.xlsx",
        f"/manage/events/{event_id}/outbox",
        f"/manage/events/{event_id}/visa-letters",
        "/api/v1/openapi.json",
        f"/api/v1/events/{letters_event.slug}",
    ]
    for path in pages:
        answer = organiser_client.get(path)
        assert answer.status_code == 200, path
        assert PASSPORT.encode() not in answer.data and NAME.encode() not in answer.data, path
    assert b"passport" not in organiser_client.get("/api/v1/openapi.json").data.lower()


def test_rotating_the_key_re_encrypts_every_record_so_the_old_key_can_go(
    app, client, letters_event, organiser_client, runner
):
    letter = _requested(client, letters_event)
    _approve(organiser_client, letters_event, letter.id)
    old = app.config["PASSPORT_KEYS"]
    new = runner.invoke(args=["visas", "new-key"]).output.strip()
    Fernet(new.encode())  # a real key

    app.config["PASSPORT_KEYS"] = f"{new},{old}"
    result = runner.invoke(args=["visas", "rotate-key"])
    assert result.exit_code == 0 and "Re-encrypted 1 letter(s)" in result.output

    app.config["PASSPORT_KEYS"] = new
    db.session.expire_all()
    letter = db.session.get(VisaLetter, letter.id)
    assert services.passport_of(letter).passport_number == PASSPORT
    assert services.issued_pdf(letter).startswith(b"%PDF")


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_two_organisers_approving_at_once_issue_one_letter_and_one_email(app, client, letters_event):
    from eventsys.accounts import services as accounts
    from eventsys.mail.models import OutboundEmail

    letter_id = _requested(client, letters_event).id
    users = [accounts.create_user(f"o{n}@hit.example", "correct horse battery", name=f"O{n}") for n in (1, 2)]
    db.session.commit()
    user_ids = [user.id for user in users]
    barrier = threading.Barrier(2)
    outcomes, failures = [], []

    def approve_as(user_id: int):
        with app.app_context():
            try:
                from eventsys.accounts.models import User

                letter = db.session.get(VisaLetter, letter_id)
                user = db.session.get(User, user_id)
                barrier.wait()
                services.approve(letter, user)
                outcomes.append("issued")
            except services.LetterRefused:
                outcomes.append("refused")
            except Exception as error:  # anything else is the failure this test looks for
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve_as, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert sorted(outcomes) == ["issued", "refused"]
    db.session.expire_all()
    letter = db.session.get(VisaLetter, letter_id)
    assert letter.status is LetterStatus.approved
    assert services.by_reference(letter.reference).id == letter_id
    assert services.issued_pdf(letter).startswith(b"%PDF")
    issued = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboundEmail)
        .where(OutboundEmail.kind == "visa_letter_issued")
    )
    assert issued == 1


def test_anonymising_the_event_erases_its_letters_passports_names_and_addresses(app, client, letters_event):
    from datetime import timedelta

    from eventsys.database import utcnow
    from eventsys.retention.services import anonymise_event
    from tests.world import issued_letter

    person = registration.register(letters_event, applicant(1, name="Petr Ivanov", country="RU"))
    letter_id = issued_letter(letters_event, person).id
    db.session.commit()
    # The conference is over: moved into the past as the calendar would have.
    letters_event.starts_at = utcnow() - timedelta(days=10)
    letters_event.ends_at = utcnow() - timedelta(days=8)
    db.session.commit()

    anonymise_event(letters_event.id)
    db.session.expire_all()
    letter = db.session.get(VisaLetter, letter_id)
    assert letter.passport_data is None and letter.letter_pdf is None and letter.erased_at is not None
    assert letter.requester_name == "Anonymised" and "ivanov" not in letter.email.lower()
    assert letter.email.endswith("@anonymised.invalid")
    verdict = client.get(f"/verify/letters/{letter.reference}")
    assert verdict.status_code == 200 and "I***** I***" in verdict.get_data(as_text=True)


def test_deciding_a_request_without_the_key_says_why_and_changes_nothing(app, client, letters_event,
                                                                        organiser_client):
    letter = _requested(client, letters_event)
    app.config["PASSPORT_KEYS"] = ""  # the key dropped from the settings after the request came in
    answer = _approve(organiser_client, letters_event, letter.id)
    assert answer.status_code in (303, 409, 422), answer.status_code
    page = organiser_client.get(f"/manage/events/{letters_event.id}/visa-letters/{letter.id}")
    assert "This server has no key for passport details" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(VisaLetter, letter.id).status.value == "requested"
