"""Certificates of attendance: a Russian and a Chinese attendee get theirs; anyone can verify them."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from eventsys import tokens
from eventsys.certificates import emails
from eventsys.certificates.models import Certificate
from eventsys.database import db
from eventsys.mail.models import OutboundEmail
from eventsys.registration import handling, services
from eventsys.registration.models import Registration
from eventsys.retention import services as retention
from tests.conftest import both_databases
from tests.factories import applicant, make_event, make_organiser, sign_in
from tests.formpage import read_form

ORGANISER = "certificates@hit.example"
#: the conference, once it is over: 12-14 April 2025 in Harbin
STARTED, ENDED = datetime(2025, 4, 12, 1, 0, tzinfo=UTC), datetime(2025, 4, 14, 9, 0, tzinfo=UTC)


def _pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def _end(event) -> None:
    """The conference takes place: its days move into the past."""
    event.starts_at, event.ends_at = STARTED, ENDED
    db.session.commit()


def _checked_in(event, registration) -> Registration:
    handling.check_in(event.id, db.session.get(Registration, registration.id), outside_days_confirmed=True)
    return db.session.get(Registration, registration.id)


def _own_download(registration):
    """The certificate as its holder downloads it from their own page."""
    from flask import current_app

    return current_app.test_client().get(f"/r/{registration.token}/certificate.pdf")


@pytest.fixture
def conference(app):
    """A conference in Harbin: Ivan (Russian, came), Li Na (Chinese, came), Ute (registered, never came)."""
    event = make_event(title="Symposium on Orbital Mechanics", timezone="Asia/Harbin",
                       venue="Main Building, Harbin Institute of Technology")
    ivan = services.register(event, applicant(1, name="Иван Петров", name_latin="Ivan Petrov", locale="ru",
                                              email="petrov@bmstu.example"))
    li = services.register(event, applicant(2, name="李娜", name_latin="Li Na", country="CN", locale="zh",
                                            email="lina@hit.example"))
    ute = services.register(event, applicant(3, name="Ute Berg", country="DE", email="berg@tum.example"))
    ivan, li = _checked_in(event, ivan), _checked_in(event, li)
    make_organiser(ORGANISER, event)
    return event, {"ivan": ivan, "li": li, "ute": ute}


@pytest.fixture
def organiser(app, conference):
    client = app.test_client()
    sign_in(client, ORGANISER)
    return client


@both_databases
def test_ivan_downloads_his_certificate_in_russian_from_his_page_once_the_conference_is_over(
        client, conference):
    event, people = conference
    ivan = people["ivan"]
    own_page = f"/r/{ivan.token}"
    assert 'id="certificate"' not in client.get(own_page).get_data(as_text=True)  # not over yet
    _end(event)
    page = client.get(own_page).get_data(as_text=True)
    assert f'href="/r/{ivan.token}/certificate.pdf"' in page

    answer = client.get(f"/r/{ivan.token}/certificate.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Cache-Control"] == "no-store"
    text = _pdf_text(answer.data)
    certificate = db.session.scalars(sa.select(Certificate)).one()
    assert re.fullmatch(r"AC-2025-[2-9A-HJKMNP-TV-Z]{6}", certificate.reference)
    assert "Иван Петров" in text and "Ivan Petrov" in text
    assert "Symposium on Orbital Mechanics" in text
    assert "Main Building, Harbin Institute of Technology" in text
    assert "12 апреля 2025 г. – 14 апреля 2025 г." in text  # the days in Harbin, as Russian writes dates
    assert certificate.reference in text and f"/verify/certificates/{certificate.reference}" in text

    again = client.get(f"/r/{ivan.token}/certificate.pdf")
    assert certificate.reference in _pdf_text(again.data)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


def test_the_organiser_prints_one_attendee_s_certificate_from_the_registration_page(conference, organiser):
    event, people = conference
    detail = f"/manage/events/{event.id}/registrations/{people['ivan'].id}"
    button = f'action="{detail}/certificate"'
    page = organiser.get(detail).get_data(as_text=True)
    assert button in page, "he was checked in"
    assert button.replace(str(people["ivan"].id), str(people["ute"].id)) not in \
        organiser.get(f"/manage/events/{event.id}/registrations/{people['ute'].id}").get_data(as_text=True)

    token = read_form(page).fields["csrf_token"]
    early = organiser.post(f"{detail}/certificate", data={"csrf_token": token})
    assert early.status_code == 303 and early.location.endswith(detail)
    assert "once the event is over" in organiser.get(early.location).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0

    _end(event)
    assert organiser.post(f"{detail}/certificate").status_code in (303, 400), "no CSRF token, no certificate"
    answer = organiser.post(f"{detail}/certificate", data={"csrf_token": token})
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "Иван Петров" in _pdf_text(answer.data), "in his own name and language, as he would get it"
    certificate = db.session.scalars(sa.select(Certificate)).one()
    assert certificate.reference in _pdf_text(_own_download(people["ivan"]).data), "the same certificate"


def test_li_nas_certificate_is_in_chinese_with_her_latin_name(client, conference):
    event, people = conference
    _end(event)
    text = _pdf_text(client.get(f"/r/{people['li'].token}/certificate.pdf").data)
    assert "李娜" in text and "Li Na" in text
    assert "2025年4月12日 – 2025年4月14日" in text


def test_no_certificate_before_the_end_without_a_check_in_or_after_cancelling(client, conference):
    event, people = conference
    early = client.get(f"/r/{people['ivan'].token}/certificate.pdf")
    assert early.status_code == 403 and "once the event is over" in early.get_data(as_text=True)
    services.cancel_registration(people["li"].id)
    _end(event)
    absent = client.get(f"/r/{people['ute'].token}/certificate.pdf")
    assert absent.status_code == 403 and "checked in at the event" in absent.get_data(as_text=True)
    assert 'id="certificate"' not in client.get(f"/r/{people['ute'].token}").get_data(as_text=True)
    cancelled = client.get(f"/r/{people['li'].token}/certificate.pdf")
    assert cancelled.status_code == 410 and "was cancelled" in cancelled.get_data(as_text=True)
    assert client.get("/r/not-a-token/certificate.pdf").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0


@both_databases
def test_anyone_verifies_a_reference_in_any_case_and_an_unknown_one_shows_nothing(client, conference):
    event, people = conference
    _end(event)
    client.get(f"/r/{people['ivan'].token}/certificate.pdf")
    reference = db.session.scalars(sa.select(Certificate.reference)).one()
    answer = client.get(f"/verify/certificates/{reference.lower()}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'data-verdict="genuine"' in page
    assert "И*** П*****" in page and "Иван" not in page and "Ivan" not in page
    assert "Symposium on Orbital Mechanics" in page and "12 Apr 2025" in page and "Asia/Harbin" in page
    unknown = client.get("/verify/certificates/AC-2025-ZZZZZZ")
    assert unknown.status_code == 404 and 'data-verdict="unknown"' in unknown.get_data(as_text=True)
    assert "Symposium" not in unknown.get_data(as_text=True)
    typed = client.get(f"/verify/certificates?reference=+{reference}+")
    assert typed.status_code == 303
    assert typed.headers["Location"].endswith(f"/verify/certificates/{reference}")


def _press_email_all(organiser, event, with_token: bool = True):
    page = organiser.get(f"/manage/events/{event.id}/certificates").get_data(as_text=True)
    fields = read_form(page).fields if with_token else {}
    return organiser.post(f"/manage/events/{event.id}/certificates/email",
                          data={"csrf_token": fields.get("csrf_token", "")})


def _certificate_emails() -> list[OutboundEmail]:
    kind = OutboundEmail.kind == emails.ATTENDANCE_CERTIFICATE
    return list(db.session.scalars(sa.select(OutboundEmail).where(kind)))


def test_the_organiser_emails_every_attendee_once_however_often_the_button_is_pressed(
        app, organiser, conference, smtp_sink):
    app.config.update(smtp_sink.config())
    event, people = conference
    before = organiser.get(f"/manage/events/{event.id}/certificates").get_data(as_text=True)
    assert 'id="not-over"' in before and 'id="email-certificates"' not in before
    assert _press_email_all(organiser, event).status_code == 303 and _certificate_emails() == []
    _end(event)
    page = organiser.get(f"/manage/events/{event.id}/certificates").get_data(as_text=True)
    assert '<td id="attendees">2</td>' in page and "Email certificates to all attendees" in page
    nav = organiser.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert f'href="/manage/events/{event.id}/certificates"' in nav

    assert _press_email_all(organiser, event, with_token=False).status_code in (303, 400)
    assert _certificate_emails() == []  # no CSRF token, nothing sent
    _press_email_all(organiser, event)
    _press_email_all(organiser, event)
    db.session.expire_all()
    sent = _certificate_emails()
    assert sorted(email.recipient for email in sent) == ["lina@hit.example", "petrov@bmstu.example"]

    message = smtp_sink.to("petrov@bmstu.example")[-1]
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"http://events\.test/certificates/\S+/certificate\.pdf", body).group(0)
    assert message["Subject"] == "Ваш сертификат участника: Symposium on Orbital Mechanics", "in his language"
    pdf = app.test_client().get(link.removeprefix("http://events.test"))
    assert pdf.status_code == 200 and "Иван Петров" in _pdf_text(pdf.data)
    assert smtp_sink.to("berg@tum.example") == []  # registered, never came


def test_a_download_link_that_expired_or_was_altered_says_so(app, client, conference):
    event, people = conference
    _end(event)
    token = tokens.make_token(emails.DOWNLOAD_PURPOSE, {"registration": people["ivan"].id})
    assert client.get(f"/certificates/{token}x/certificate.pdf").status_code == 404
    app.config["CERTIFICATE_LINK_DAYS"] = -1
    expired = client.get(f"/certificates/{token}/certificate.pdf")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)


def test_another_events_organiser_cannot_see_or_send_the_certificates(app, conference):
    event, _people = conference
    own_event = make_event()
    make_organiser("other@example.org", own_event)
    client = app.test_client()
    sign_in(client, "other@example.org")
    assert client.get(f"/manage/events/{event.id}/certificates").status_code == 403
    own_page = client.get(f"/manage/events/{own_event.id}/certificates").get_data(as_text=True)
    token = read_form(own_page).fields.get("csrf_token") or re.search(
        r'name="csrf_token" value="([^"]+)"', own_page).group(1)
    assert client.post(f"/manage/events/{event.id}/certificates/email",
                       data={"csrf_token": token}).status_code == 403
    assert _certificate_emails() == []


@both_databases
def test_after_anonymising_the_reference_still_verifies_but_the_name_is_gone(client, conference):
    event, people = conference
    _end(event)
    client.get(f"/r/{people['ivan'].token}/certificate.pdf")
    reference = db.session.scalars(sa.select(Certificate.reference)).one()
    retention.anonymise_event(event.id, now=ENDED + timedelta(days=1))
    certificate = db.session.scalars(sa.select(Certificate)).one()
    assert (certificate.holder_name, certificate.holder_name_latin) == ("", "")
    page = client.get(f"/verify/certificates/{reference}").get_data(as_text=True)
    assert 'data-verdict="genuine"' in page and "Иван" not in page
    link = tokens.make_token(emails.DOWNLOAD_PURPOSE, {"registration": people["ivan"].id})
    erased = client.get(f"/certificates/{link}/certificate.pdf")
    assert erased.status_code == 410 and "erased" in erased.get_data(as_text=True)
