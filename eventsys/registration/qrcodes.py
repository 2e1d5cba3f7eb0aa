"""The check-in code as a QR image: it carries the registration token and nothing else.

A scanner app, or a USB scanner typing into the desk's input, then gives the desk
exactly the token, which is also printed beside the image for typing by hand.
"""

import io

import segno
from markupsafe import Markup

#: size of one QR module in pixels: large enough for a phone held up to a webcam
SCALE = 6
#: medium error correction survives a cracked or dimmed phone screen
ERROR_LEVEL = "m"


def _code(token: str) -> segno.QRCode:
    # make_qr, not make: a short content would otherwise become a Micro QR, which many scanners do not read.
    return segno.make_qr(token, error=ERROR_LEVEL)


def svg_inline(token: str) -> Markup:
    """The code as an <svg> element for an HTML page (white background, so dark themes scan too)."""
    # Safe markup: segno draws only paths and our fixed title; the token is encoded in geometry, not text.
    return Markup(_code(token).svg_inline(scale=SCALE, light="white", title="Check-in code"))


def png_document(token: str) -> bytes:
    """The code as a PNG file, for <img> in emails (Gmail and Outlook do not show SVG images)."""
    out = io.BytesIO()
    _code(token).save(out, kind="png", scale=SCALE, light="white")
    return out.getvalue()
