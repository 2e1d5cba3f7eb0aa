"""The check-in code is not the self-service token: a photo of someone's QR code only lets them in."""

import re

import segno
import sqlalchemy as sa

from eventsys.database import db
from eventsys.registration import checkin_codes, qrcodes, services
from eventsys.registration.models import Registration, RegistrationStatus
from tests.conftest import both_databases
from tests.factories import (
    applicant,
    csrf_token,
    make_organiser,
    make_running_event,
    registration_body,
    sign_in,
)
from tests.registration.test_checkin import Desk, _result
from tests.registration.test_qrcodes import _emails, _parts, _path_data

CODE_SHAPE = re.compile(r"[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}")


@both_databases
def test_each_registration_gets_a_short_readable_code_of_its_own(app):
    event = make_running_event()
    people = [services.register(event, applicant(n)) for n in range(1, 6)]
    codes = [p.checkin_code for p in people]
    assert all(CODE_SHAPE.fullmatch(code) for code in codes)
    assert len(set(codes)) == len(codes)
    db.session.expire_all()
    stored = db.session.scalars(db.select(Registration.checkin_code).order_by(Registration.id)).all()
    assert stored == codes, "the seat statement inserts the code"
    assert all(p.checkin_code not in p.token for p in people)


@both_databases
def test_the_qr_code_page_and_emails_show_the_check_in_code_not_the_token(app, client, mail_dir):
    registration = services.register(make_running_event(), applicant(1, email="li.wei@example.org"))
    code = registration.checkin_code
    shown = f"{code[:4]}-{code[4:]}"

    page = client.get(f"/r/{registration.token}").get_data(as_text=True)
    assert _path_data(page) == _path_data(segno.make_qr(code, error="m").svg_inline(scale=6))
    assert f'<code id="check-in-text">{shown}</code>' in page
    image = client.get(f"/r/{registration.token}/qr.png").get_data()
    assert image == qrcodes.png_document(code)

    [message] = _emails(mail_dir, "li.wei@example.org")
    text, html = _parts(message)
    assert f"Your check-in code: {shown}" in text
    assert re.search(rf"<code[^>]*>{shown}</code>", html), "the code beside the QR image, to read out"
    assert registration.token not in text.replace(f"/r/{registration.token}", "")


def test_the_check_in_code_opens_no_page_and_cancels_nothing(app, client):
    registration = services.register(make_running_event(), applicant(1))
    code = registration.checkin_code
    for typed in (code, code.lower(), checkin_codes.shown(code)):
        assert client.get(f"/r/{typed}").status_code == 404
        assert client.get(f"/r/{typed}/qr.png").status_code == 404
        token = csrf_token(client, f"/r/{registration.token}")
        assert client.post(f"/r/{typed}/cancel", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status is RegistrationStatus.confirmed


@both_databases
def test_the_desk_checks_in_by_the_code_typed_in_lower_case_with_or_without_hyphen(app, client):
    event = make_running_event(title="Forum on Space Robotics")
    make_organiser("desk@example.org", event)
    sign_in(client, "desk@example.org")
    olga, chen = (services.register(event, applicant(n, name=name))
                  for n, name in enumerate(["Olga Petrova", "Chen Jing"], start=1))
    desk = Desk(client, event, [olga, chen])

    typed = checkin_codes.shown(olga.checkin_code).lower()
    assert _result(desk.scan(typed)) == "ok: Checked in: Olga Petrova"
    assert _result(desk.scan(" " + chen.checkin_code.lower() + "\n")) == "ok: Checked in: Chen Jing"
    assert _result(desk.scan(olga.checkin_code)).startswith("warn: Already checked in")


def test_another_events_code_checks_nobody_in(app, client):
    event, other = make_running_event(), make_running_event()
    make_organiser("desk@example.org", event)
    sign_in(client, "desk@example.org")
    stranger = services.register(other, applicant(1))
    desk = Desk(client, event, [])
    page = desk.scan(stranger.checkin_code)
    assert "Checked in" not in (_result(page) or "")
    db.session.expire_all()
    assert db.session.get(Registration, stranger.id).checked_in_at is None


@both_databases
def test_a_check_in_code_drawn_twice_in_one_event_is_drawn_again_not_a_500(app, client, monkeypatch):
    event = make_running_event()
    draws = iter(["AAAAAAAA", "AAAAAAAA", "BBBBBBBB"])
    monkeypatch.setattr(checkin_codes, "new_code", lambda: next(draws))
    path = f"/api/v1/events/{event.slug}/registrations"
    first = client.post(path, json=registration_body(1))
    second = client.post(path, json=registration_body(2))
    assert (first.status_code, second.status_code) == (201, 201)
    codes = db.session.scalars(sa.select(Registration.checkin_code).order_by(Registration.id)).all()
    assert codes == ["AAAAAAAA", "BBBBBBBB"]
