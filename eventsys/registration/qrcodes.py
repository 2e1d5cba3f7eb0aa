"""The check-in code as a QR image: it carries the registration's check-in code and nothing else.

A scanner app, or a USB scanner typing into the desk's input, then gives the desk
exactly the code, which is also printed beside the image for typing by hand. Never
the self-service token: a QR code is shown at a door and photographed, and the
token would let whoever holds the photo cancel the registration.
"""

import io

import segno
from markupsafe import Markup

#: size of one QR module in pixels: large enough for a phone held up to a webcam
SCALE = 6
#: medium error correction survives a cracked or dimmed phone screen
ERROR_LEVEL = "m"


def _code(checkin_code: str) -> segno.QRCode:
    # make_qr, not make: a short content would otherwise become a Micro QR, which many scanners do not read.
    return segno.make_qr(checkin_code, error=ERROR_LEVEL)


def svg_inline(checkin_code: str) -> Markup:
    """The code as an <svg> element for an HTML page (white background, so dark themes scan too)."""
    # Safe markup: segno draws only paths and our fixed title; the code is encoded in geometry, not text.
    return Markup(_code(checkin_code).svg_inline(scale=SCALE, light="white", title="Check-in code"))


def png_document(checkin_code: str) -> bytes:
    """The code as a PNG file, for <img> in emails (Gmail and Outlook do not show SVG images)."""
    out = io.BytesIO()
    _code(checkin_code).save(out, kind="png", scale=SCALE, light="white")
    return out.getvalue()
