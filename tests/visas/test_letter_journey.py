"""A visa letter from request to verification, for a Cyrillic and a Chinese name, read back from the PDF."""

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from eventsys.database import db
from eventsys.registration import services as registration
from eventsys.speakers import invitations
from eventsys.speakers.models import Institution, Speaker
from eventsys.visas.models import LetterStatus, VisaLetter
from tests.factories import applicant
from tests.formpage import read_form
from tests.visas.conftest import request_fields

both_databases = pytest.mark.parametrize("app", ["sqlite", "postgresql"], indirect=True)


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # Lines are broken where the layout breaks them: compare the text as one line.
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _link_in(message, pattern: str) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(pattern, body).group(0)


def _approve(organiser_client, event, letter_id: int):
    page = organiser_client.get(f"/manage/events/{event.id}/visa-letters/{letter_id}")
    token = read_form(page.get_data(as_text=True)).fields["csrf_token"]
    return organiser_client.post(
        f"/manage/events/{event.id}/visa-letters/{letter_id}/approve", data={"csrf_token": token}
    )


@both_databases
def test_a_registrant_from_moscow_requests_gets_and_downloads_a_letter_with_her_cyrillic_name(
    app, letters_event, organiser_client, smtp_sink
):
    app.config.update(smtp_sink.config())
    event = letters_event
    person = registration.register(
        event, applicant(1, name="Petr Ivanov", email="ivanov@msu.example", country="RU", locale="ru")
    )
    client = app.test_client()
    own_page = client.get(f"/r/{person.token}").get_data(as_text=True)
    assert f'href="/r/{person.token}/visa-letter"' in own_page

    path = f"/r/{person.token}/visa-letter"
    sent = client.post(path, data=request_fields(client, path))
    assert sent.status_code == 303
    letter = db.session.scalars(sa.select(VisaLetter)).one()
    assert letter.status is LetterStatus.requested and letter.reference is None
    mine = client.get(path).get_data(as_text=True)
    assert 'data-status="requested"' in mine and "<form" not in mine.split("your-letters")[1]

    # The organisers' list, then the request with its passport details.
    listing = organiser_client.get(f"/manage/events/{event.id}/visa-letters").get_data(as_text=True)
    assert "Petr Ivanov" in listing and "751234567" not in listing
    answer = organiser_client.get(f"/manage/events/{event.id}/visa-letters/{letter.id}")
    detail = answer.get_data(as_text=True)
    assert "Иванов Пётр Сергеевич" in detail and "751234567" in detail
    assert answer.headers["Cache-Control"] == "no-store"  # no browser or proxy keeps a passport page

    assert _approve(organiser_client, event, letter.id).status_code == 303
    db.session.expire_all()
    letter = db.session.get(VisaLetter, letter.id)
    assert letter.status is LetterStatus.approved
    assert re.fullmatch(r"VL-2027-[2-9A-HJKMNP-TV-Z]{6}", letter.reference)

    email = smtp_sink.to("ivanov@msu.example")[-1]  # after the confirmation of her seat
    body = email.get_body(("plain",)).get_content()
    assert letter.reference in body and "751234567" not in body
    download = _link_in(email, r"http://events\.test/visa-letters/[^\s]+/letter\.pdf")
    pdf = client.get(download.removeprefix("http://events.test"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    text = _pdf_text(pdf.data)
    assert "Иванов Пётр Сергеевич" in text
    assert "751234567" in text
    assert "born on 17 May 1980" in text
    assert "from 10 April 2027 to 16 April 2027" in text  # the stay
    assert "12 April 2027 – 14 April 2027" in text  # the event's days in Harbin
    assert "nationality: Russian Federation" in text
    assert letter.reference in text and "Russia" in text
    assert "1980年5月17日" in text and "俄罗斯" in text  # the Chinese page of the template

    verdict = client.get(f"/verify/letters/{letter.reference}")
    page = verdict.get_data(as_text=True)
    assert verdict.status_code == 200 and 'data-verdict="valid"' in page
    assert "И***** П*** С*******" in page
    assert "Иванов" not in page and "751234567" not in page
    assert event.title in page


@both_databases
def test_an_accepted_speaker_from_singapore_gets_a_letter_with_his_chinese_name(
    app, letters_event, organiser_client, smtp_sink
):
    app.config.update(smtp_sink.config())
    event = letters_event
    speaker = Speaker(
        name="Li Minghua",
        email="li.minghua@nus.example",
        country="SG",
        institution=Institution(name="National University of Singapore", country="SG"),
    )
    db.session.add(speaker)
    db.session.commit()
    engagement = invitations.invite_speaker(speaker.id, event.id, "keynote", invited_by_email="o@hit.example")
    invitation_email = smtp_sink.to("li.minghua@nus.example")[0]
    invitation_link = _link_in(invitation_email, r"http://events\.test/invitations/[^\s?]+")
    invitations.answer_invitation(engagement.id, True)

    client = app.test_client()
    page = client.get(invitation_link.removeprefix("http://events.test")).get_data(as_text=True)
    path = re.search(r'id="visa-letter"><a href="([^"]+)"', page).group(1)
    answer = client.post(
        path,
        data=request_fields(
            client,
            path,
            full_name="李明华",
            passport_number="K1234567X",
            nationality="SG",
            date_of_birth="1975-11-02",
        ),
    )
    assert answer.status_code == 303
    letter = db.session.scalars(sa.select(VisaLetter)).one()
    assert letter.engagement_id == engagement.id and letter.registration_id is None

    assert _approve(organiser_client, event, letter.id).status_code == 303
    email = smtp_sink.to("li.minghua@nus.example")[-1]
    download = _link_in(email, r"http://events\.test/visa-letters/[^\s]+/letter\.pdf")
    text = _pdf_text(client.get(download.removeprefix("http://events.test")).data)
    assert "李明华" in text and "K1234567X" in text and "2 November 1975" in text
    assert "1975年11月2日" in text and "新加坡" in text
    db.session.expire_all()
    verdict = client.get(f"/verify/letters/{db.session.get(VisaLetter, letter.id).reference}")
    assert "李**" in verdict.get_data(as_text=True)
