"""Speakers' portraits: checked by reading them, cleaned, made small, kept in the database.

An upload is trusted for nothing: not its name, not the type the browser claims.
Pillow reads it, and only a JPEG, PNG or WebP image it can decode is taken. What is
kept is a new JPEG drawn from the pixels alone (turned upright first as the camera
said), so no EXIF is passed on: a phone's photo may carry where it was taken. At
most 800 px on the long side, a page needs no more, and a few tens of kilobytes
stay cheap to keep in a row.

Decompression bombs (a small file that unpacks to billions of pixels) are refused
from the header's size before any pixel is decoded.
"""

import hashlib
import io
import warnings

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from eventsys.database import db, utcnow
from eventsys.speakers.models import SpeakerPhoto

#: the largest upload taken
MAX_BYTES = 2 * 1024 * 1024
#: the largest request of the speaker form: above the app's 1 MB (MAX_CONTENT_LENGTH) and above MAX_BYTES,
#: so a photo a little too big is told so beside its field rather than refused as a whole request
FORM_MAX_BYTES = 2 * MAX_BYTES
#: what Pillow names the formats taken
FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
#: the long side of the photo as kept
LONG_SIDE = 800
#: more pixels than any camera's photo (40 megapixels); Pillow's own limit is 89 and warns only
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 85
#: ids at or past this cannot exist (INTEGER columns); PostgreSQL refuses to compare them
_ID_LIMIT = 2**31

TOO_BIG = _l("The photo is larger than 2 MB: choose a smaller one.")
NOT_AN_IMAGE = _l("This file is not an image: choose a JPEG, PNG or WebP photo.")
TOO_MANY_PIXELS = _l("This image is too large in pixels (more than 40 megapixels): choose a smaller one.")


class PhotoRefused(ValueError):
    """The upload cannot be a speaker's photo; the message says why, for the form's field."""


def _wrong_type(kind: str) -> str:
    # Translators: %(kind)s is a file format's name, such as GIF or BMP.
    return str(_l("Choose a JPEG, PNG or WebP photo; this file is a %(kind)s image.", kind=kind))


def _opened(data: bytes) -> Image.Image:
    """The image in data, decoded: PhotoRefused for anything else."""
    with warnings.catch_warnings():
        # Pillow only warns between its two limits: a bomb is a refusal here, never a warning.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            kind = image.format or ""
            if kind not in FORMATS:
                raise PhotoRefused(_wrong_type(kind or "?"))
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRefused(str(TOO_MANY_PIXELS))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRefused(str(TOO_MANY_PIXELS)) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as failed:
            if isinstance(failed, PhotoRefused):
                raise
            raise PhotoRefused(str(NOT_AN_IMAGE)) from None
    return image


def cleaned_photo(data: bytes) -> bytes:
    """The JPEG to keep for an upload: upright, no metadata, at most LONG_SIDE px; PhotoRefused if not."""
    if len(data) > MAX_BYTES:
        raise PhotoRefused(str(TOO_BIG))
    if not data:
        raise PhotoRefused(str(NOT_AN_IMAGE))
    image = _opened(data)
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        # A transparent PNG on white, as a page shows it; JPEG has no transparency.
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # Only the pixels go in: no exif=, no icc_profile=, no comment.
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def save_photo(speaker_id: int, jpeg: bytes) -> SpeakerPhoto:
    """Keep jpeg (from cleaned_photo) as the speaker's photo, replacing any; committed."""
    photo = db.session.get(SpeakerPhoto, speaker_id) or SpeakerPhoto(speaker_id=speaker_id)
    photo.data = jpeg
    photo.content_type = "image/jpeg"
    photo.version = hashlib.sha256(jpeg).hexdigest()[:16]
    photo.updated_at = utcnow()
    db.session.add(photo)
    db.session.commit()
    return photo


def remove_photo(speaker_id: int) -> bool:
    """Delete the speaker's photo; whether there was one. Committed."""
    removed = db.session.execute(
        sa.delete(SpeakerPhoto).where(SpeakerPhoto.speaker_id == speaker_id)).rowcount
    db.session.commit()
    return bool(removed)


def photo_version(speaker_id: int) -> str | None:
    """The version of the speaker's photo (for its URL), None without one; the bytes are not read."""
    if not 0 < speaker_id < _ID_LIMIT:
        return None
    return db.session.scalar(sa.select(SpeakerPhoto.version).where(SpeakerPhoto.speaker_id == speaker_id))


def stored_photo(speaker_id: int) -> SpeakerPhoto | None:
    """The speaker's photo with its bytes, None without one."""
    if not 0 < speaker_id < _ID_LIMIT:
        return None
    return db.session.get(SpeakerPhoto, speaker_id)
