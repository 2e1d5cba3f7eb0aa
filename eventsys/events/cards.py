"""The picture a link preview shows (og:image): a 1200×630 PNG card of the event, drawn with Pillow.

Chat apps and social sites fetch it once per link and keep it, but a popular event
is shared often: a drawn card is kept in memory by what it shows (the event as last
edited, in one language), so it is drawn once per edit and language, not per fetch.
The names and dates may be Chinese or Russian, so the font is Noto Sans CJK, which
covers Latin, Cyrillic and CJK alike (the Docker image installs fonts-noto-cjk).
"""

import io
import re
from functools import lru_cache
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

from eventsys.events.models import Event
from eventsys.timezones import in_zone

#: what Open Graph and Twitter's large cards expect
SIZE = (1200, 630)
MARGIN = 72
BACKGROUND = (14, 38, 74)
ACCENT = (242, 174, 46)
TEXT = (255, 255, 255)
MUTED = (190, 204, 224)
#: fonts tried in order, with the face inside a collection (2: Simplified Chinese, the school's own)
FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
     "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
)


def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The first installed font of FONTS at size; Pillow's own when none is (Latin only, still a card)."""
    for bold_path, regular_path, index in FONTS:
        path = bold_path if bold else regular_path
        if Path(path).exists():
            return ImageFont.truetype(path, size, index=index)
    return ImageFont.load_default(size)


def _wrapped(text: str, font, width: int, max_lines: int) -> list[str]:
    """text in lines no wider than width, at spaces, or anywhere in words too long (CJK has no spaces);
    what does not fit in max_lines ends with an ellipsis."""
    lines: list[str] = []
    line = ""
    for word in re.findall(r"\S+\s*", text):
        if font.getlength(line + word.rstrip()) <= width:
            line += word
            continue
        if line:
            lines.append(line.rstrip())
            line = ""
        for character in word:
            if font.getlength(line + character) > width:
                lines.append(line.rstrip())
                line = character.lstrip()
            else:
                line += character
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def _draw(title: str, when: str, where: str, school: str) -> bytes:
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    draw.rectangle((0, 0, 16, SIZE[1]), fill=ACCENT)
    draw.text((MARGIN, MARGIN), school, font=_font(30, bold=True), fill=ACCENT)
    title_font = _font(64, bold=True)
    y = MARGIN + 80
    for line in _wrapped(title, title_font, width, max_lines=3):
        draw.text((MARGIN, y), line, font=title_font, fill=TEXT)
        y += 80
    detail_font = _font(32, bold=False)
    y = SIZE[1] - MARGIN - 2 * 48
    for line in (when, where):
        draw.text((MARGIN, y), _wrapped(line, detail_font, width, max_lines=1)[0] if line else "",
                  font=detail_font, fill=MUTED)
        y += 48
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


@lru_cache(maxsize=128)
def _card(title: str, when: str, where: str, school: str) -> bytes:
    """Drawn once for what it shows: an edit or another language is another card."""
    return _draw(title, when, where, school)


def card_version(event: Event) -> str:
    """Changes whenever the card would: in the image's URL, so previews fetch the new one."""
    return f"{int(event.updated_at.timestamp())}"


def event_card(event: Event, locale: str) -> bytes:
    """The event's card as PNG bytes, its date and words in locale: title, when (with the zone), where."""
    with force_locale(locale):
        when = in_zone(event.starts_at, event.timezone, locale)
        where = event.venue or (_("Online") if event.is_online else "")
        school = _("School of Astronautics")
        return _card(event.title, when, where, school)
