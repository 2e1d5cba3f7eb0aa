"""The check-in code as a QR image: it carries the registration's check-in code and nothing else.

A scanner app, or a USB scanner typing into the desk's input, then gives the desk
exactly the code, which is also printed beside the image for typing by hand. Never
the self-service token: a QR code is shown at a door and photographed, and the
token would let whoever holds the photo cancel the registration.
"""

import base64
import io
from datetime import timedelta

import segno
from flask_babel import gettext as _
from markupsafe import Markup

from eventsys.tokens import InvalidToken, make_token, read_token

#: size of one QR module in pixels: large enough for a phone held up to a webcam
SCALE = 6
#: medium error correction survives a cracked or dimmed phone screen
ERROR_LEVEL = "m"


def _code(checkin_code: str) -> segno.QRCode:
    # make_qr, not make: a short content would otherwise become a Micro QR, which many scanners do not read.
    return segno.make_qr(checkin_code, error=ERROR_LEVEL)


def svg_inline(checkin_code: str) -> Markup:
    """The code as an <svg> element for an HTML page (white background, so dark themes scan too)."""
    # Safe markup: segno draws only paths and our title, which it escapes; the code is geometry, not text.
    return Markup(_code(checkin_code).svg_inline(scale=SCALE, light="white", title=_("Check-in code")))


def png_document(checkin_code: str) -> bytes:
    """The code as a PNG file, for <img> in emails (Gmail and Outlook do not show SVG images)."""
    out = io.BytesIO()
    _code(checkin_code).save(out, kind="png", scale=SCALE, light="white")
    return out.getvalue()


def png_base64(checkin_code: str) -> str:
    """png_document as base64, for a data: address in a PDF's HTML."""
    return base64.b64encode(png_document(checkin_code)).decode("ascii")


#: the salt of the image links: such a link shows the image and opens nothing else
IMAGE_LINK_PURPOSE = "check-in-qr-image"
#: an emailed image keeps showing for this long (a year covers any event registered for)
IMAGE_LINK_LIFETIME = timedelta(days=400)


def image_link_token(registration_id: int) -> str:
    """What an email's QR image address carries: the registration, signed for the image alone.

    Mail clients and their image proxies (Gmail's, Outlook's) fetch the image and keep
    its address: with the self-service token in it, they would hold a link that cancels.
    """
    return make_token(IMAGE_LINK_PURPOSE, registration_id)


def registration_of_image_link(token: str) -> int | None:
    """The registration id an image address names, or None when it was not made by image_link_token."""
    try:
        registration_id = read_token(IMAGE_LINK_PURPOSE, token, max_age=IMAGE_LINK_LIFETIME)
    except InvalidToken:
        return None
    return registration_id if isinstance(registration_id, int) else None
