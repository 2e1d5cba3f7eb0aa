"""An organiser gives a speaker a photo: checked, cleaned of metadata, made small, shown on their page."""

import io

from PIL import Image

from eventsys.database import db
from eventsys.speakers.models import Engagement, Speaker, SpeakerPhoto, SpeakerRole
from tests.conftest import both_databases
from tests.factories import csrf_token, make_event
from tests.formpage import read_form


def _speaker(public: bool = True) -> Speaker:
    speaker = Speaker(name="Jinsong Leng", title="Academician", country="CN")
    db.session.add(speaker)
    db.session.commit()
    if public:
        db.session.add(Engagement(speaker_id=speaker.id, event_id=make_event().id, role=SpeakerRole.keynote))
        db.session.commit()
    return speaker


def _image(kind: str = "PNG", size=(1600, 1200), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 0).save(out, kind, **save)
    return out.getvalue()


def _upload(client, speaker: Speaker, data: bytes, filename: str, **fields):
    """Save the speaker's edit form as a browser would, with the file chosen in its Photo field."""
    path = f"/manage/speakers/{speaker.id}/edit"
    form = {"csrf_token": csrf_token(client, path), "name": speaker.name, "title": speaker.title,
            "country": speaker.country, "institution_id": "", "timezone": "", "locale": "",
            "photo": (io.BytesIO(data), filename), **fields}
    return client.post(path, data=form, content_type="multipart/form-data")


def _photo_error(response) -> list[str]:
    assert response.status_code == 422
    return read_form(response.get_data(as_text=True)).errors_by_field["photo"]


@both_databases
def test_a_real_png_becomes_a_small_jpeg_on_the_public_page(app, office):
    speaker = _speaker()
    form_page = office.get(f"/manage/speakers/{speaker.id}/edit").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form_page and 'name="csrf_token"' in form_page
    assert _upload(office, speaker, _image("PNG"), "portrait.png").status_code == 303

    public = office.get(f"/speakers/{speaker.id}-jinsong-leng").get_data(as_text=True)
    src = public[public.index('id="photo" src="') + 16:]
    src = src[:src.index('"')]
    assert src.startswith(f"/speakers/{speaker.id}/photo.jpg?v=")
    assert f'<meta property="og:image" content="http://events.test{src}">' in public
    photo = office.get(src)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in photo.headers["Cache-Control"]
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.format == "JPEG" and image.size == (800, 600)


def test_the_photo_loses_its_exif_and_location(app, office):
    speaker = _speaker()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 0.0)}  # GPS: where the photo was taken
    original = _image("JPEG", size=(400, 300), exif=exif.tobytes())
    assert b"PhoneMaker" in original
    assert _upload(office, speaker, original, "phone.jpg").status_code == 303
    kept = db.session.get(SpeakerPhoto, speaker.id).data
    assert b"PhoneMaker" not in kept and b"Exif" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert not image.getexif() and image.size == (400, 300)


def test_a_text_file_named_png_is_refused_next_to_the_field(app, office):
    speaker = _speaker()
    response = _upload(office, speaker, b"this is not a picture\n" * 20, "portrait.png")
    assert _photo_error(response) == ["This file is not an image: choose a JPEG, PNG or WebP photo."]
    assert db.session.get(SpeakerPhoto, speaker.id) is None


def test_a_gif_is_refused_by_what_it_is_not_by_its_name(app, office):
    response = _upload(office, _speaker(), _image("GIF", size=(50, 50)), "portrait.jpg")
    assert _photo_error(response) == ["Choose a JPEG, PNG or WebP photo; this file is a GIF image."]


def test_a_file_over_2_mb_is_refused_next_to_the_field(app, office):
    too_big = _image("PNG", size=(10, 10)) + b"\0" * (2 * 1024 * 1024)
    response = _upload(office, _speaker(), too_big, "huge.png")
    assert _photo_error(response) == ["The photo is larger than 2 MB: choose a smaller one."]


def test_a_decompression_bomb_is_refused_before_it_is_decoded(app, office):
    bomb = _image("PNG", size=(12000, 12000), mode="1", optimize=True)
    assert len(bomb) < 200_000
    response = _upload(office, _speaker(), bomb, "bomb.png")
    assert _photo_error(response) == [
        "This image is too large in pixels (more than 40 megapixels): choose a smaller one."]


def test_removing_the_photo(app, office):
    speaker = _speaker()
    _upload(office, speaker, _image("WEBP", size=(300, 300)), "portrait.webp")
    assert db.session.get(SpeakerPhoto, speaker.id) is not None
    form_page = office.get(f"/manage/speakers/{speaker.id}/edit").get_data(as_text=True)
    assert "Remove photo" in form_page and 'id="current-photo"' in form_page
    assert _upload(office, speaker, b"", "", remove_photo="y").status_code == 303
    db.session.expire_all()
    assert db.session.get(SpeakerPhoto, speaker.id) is None
    assert 'id="photo"' not in office.get(f"/speakers/{speaker.id}-jinsong-leng").get_data(as_text=True)


def test_a_speaker_without_a_public_page_has_no_public_photo_but_organisers_see_it(app, office):
    speaker = _speaker(public=False)
    assert _upload(office, speaker, _image("PNG", size=(100, 100)), "p.png").status_code == 303
    workspace = office.get(f"/manage/speakers/{speaker.id}").get_data(as_text=True)
    assert 'id="no-public-page"' in workspace
    src = workspace[workspace.index('id="photo" src="') + 16:]
    assert office.get(src[:src.index('"')]).mimetype == "image/jpeg"
    # The public address answers for public pages only, whoever asks.
    assert office.get(f"/speakers/{speaker.id}/photo.jpg").status_code == 404
    assert office.get(f"/speakers/{speaker.id}").status_code == 404
