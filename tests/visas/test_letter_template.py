"""The office's letter template: edited by organisers, checked, and used by the next letter issued."""

import io

import sqlalchemy as sa
from PIL import Image
from pypdf import PdfReader

from eventsys.database import db
from eventsys.registration import services as registration
from eventsys.visas import services
from eventsys.visas.models import VisaLetter
from tests.factories import applicant
from tests.formpage import read_form
from tests.visas.conftest import request_fields

PATH = "/manage/visa-letter-template"


def _png(size=(60, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 20, 20)).save(out, "PNG")
    return out.getvalue()


def _form(client, **overrides) -> dict:
    fields = read_form(client.get(PATH).get_data(as_text=True)).fields
    data = {
        name: fields.get(name, "")
        for name in (
            "csrf_token",
            "school_name",
            "school_name_zh",
            "signatory_name",
            "signatory_title",
            "signatory_title_zh",
        )
    }
    data.update(
        body="Dear {consulate},\n\n{full_name} ({passport_number}) is our guest at {event}.",
        body_zh="",
        address="92 West Dazhi Street, Harbin",
        address_zh="",
    )
    data.update(overrides)
    return data


def test_unknown_placeholders_and_files_that_are_not_images_are_refused_next_to_their_fields(
    organiser_client,
):
    answer = organiser_client.post(
        PATH,
        data=_form(
            organiser_client,
            body="Hello {name} {full_name",
            body_zh="你好 {holder}",
            seal=(io.BytesIO(b"<svg onload=alert(1)>"), "seal.png"),
        ),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    errors = read_form(answer.get_data(as_text=True)).errors_by_field
    assert errors["body"] == ["A { or } is not closed. Write {{ or }} for a brace itself."]
    assert errors["body_zh"] == ["Unknown placeholders: {holder}."]
    assert errors["seal"] == ["This file is not a PNG or JPEG image."]
    big = organiser_client.post(
        PATH,
        data=_form(organiser_client, seal=(io.BytesIO(b"\x89PNG" + b"0" * 600_000), "big.png")),
        content_type="multipart/form-data",
    )
    assert read_form(big.get_data(as_text=True)).errors_by_field["seal"] == [
        "The image is larger than 512 KB."
    ]


def test_the_next_letter_is_printed_from_the_edited_template_with_its_seal(
    app, client, letters_event, organiser_client
):
    saved = organiser_client.post(
        PATH,
        data=_form(organiser_client, signatory_name="Prof. Wang Hua", seal=(io.BytesIO(_png()), "seal.png")),
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303
    assert 'id="seal-kept"' in organiser_client.get(PATH).get_data(as_text=True)

    person = registration.register(letters_event, applicant(1, country="DE", name="Anna Schmidt"))
    path = f"/r/{person.token}/visa-letter"
    client.post(
        path,
        data=request_fields(
            client,
            path,
            full_name="Anna <b>Schmidt</b>",
            nationality="DE",
            consulate="Chinese Embassy in Berlin",
        ),
    )
    letter = db.session.scalars(sa.select(VisaLetter)).one()
    token = read_form(
        organiser_client.get(f"/manage/events/{letters_event.id}/visa-letters/{letter.id}").get_data(
            as_text=True
        )
    ).fields["csrf_token"]
    organiser_client.post(
        f"/manage/events/{letters_event.id}/visa-letters/{letter.id}/approve", data={"csrf_token": token}
    )
    db.session.expire_all()
    pdf = services.issued_pdf(db.session.get(VisaLetter, letter.id))
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Dear Chinese Embassy in Berlin" in text
    assert "Anna <b>Schmidt</b> (751234567) is our guest" in text  # the markup is printed, not obeyed
    assert "Prof. Wang Hua" in text and "92 West Dazhi Street" in text
    assert len(reader.pages) == 1  # no Chinese text in the template: no Chinese page
    images = [name for page in reader.pages for name in page.images.keys()]
    assert len(images) == 2  # the seal and the QR code
