"""Laying out name badges as one PDF: an A4 sheet of eight labels, or one badge per A6 page.

Each badge prints what the door and the coffee break need: the name in the person's
own script, large, with the Latin spelling beneath when it differs; the institution;
the country and the category in the event's language (the category also as a colour
band, to be told apart across a room); the event's title; and the check-in QR code.
The QR code carries the stored check-in code and nothing else, exactly what the desk
scanner looks up (registration/qrcodes.py), with the code printed beside it for typing.

Every value goes through Jinja's autoescape: a name such as `Anna <b>Schmidt</b>` prints
as typed. Fonts are the system's Noto CJK and DejaVu (as for visa letters), so Chinese
and Cyrillic names print as themselves.
"""

import enum
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

import segno
import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from eventsys.countries import country_name
from eventsys.database import db
from eventsys.events.models import Event
from eventsys.registration.listing import ListQuery, matching
from eventsys.registration.models import AttendeeCategory, Registration
from eventsys.registration.qrcodes import ERROR_LEVEL

#: the most badges one PDF holds: 250 sheets, a few minutes of WeasyPrint; more is a print shop's job
BADGE_LIMIT = 2000
#: labels on one A4 sheet (two columns, four rows of 90×60 mm)
LABELS_PER_SHEET = 8


class Layout(enum.StrEnum):
    #: an A4 sheet of 8 labels, 2×4, each 90×60 mm (the common adhesive badge sheets)
    sheet = "sheet"
    #: one badge per A6 page, landscape: for badge holders and card printers
    a6 = "a6"

    @property
    def label(self):
        """How the form names it, translated when shown."""
        return _LAYOUT_LABELS[self]


_LAYOUT_LABELS = {
    Layout.sheet: _l("A4 sheet of 8 labels (2×4, 90×60 mm)"),
    Layout.a6: _l("One badge per page (A6)"),
}


@dataclass(frozen=True)
class Badge:
    """What one badge prints, as plain text (the template escapes it)."""

    name: str
    #: the Latin spelling, only when known and different from the name
    name_latin: str | None
    affiliation: str
    country: str
    category: AttendeeCategory
    category_label: str
    qr_data_uri: str
    code_shown: str


def badge_of(registration: Registration, language: str) -> Badge:
    """One registration's badge, its country and category named in language."""
    latin = (registration.name_latin or "").strip()
    # A QR module of 4 px, with segno's quiet zone: scanners at the door and in tests read it at once.
    qr = segno.make_qr(registration.checkin_code, error=ERROR_LEVEL)
    with force_locale(language):
        category_label = str(registration.category.label)
    return Badge(
        name=registration.name,
        name_latin=latin if latin and latin != registration.name.strip() else None,
        affiliation=registration.affiliation,
        country=country_name(registration.country, language),
        category=registration.category,
        category_label=category_label,
        qr_data_uri=qr.png_data_uri(scale=4, light="white"),
        code_shown=registration.checkin_code_shown,
    )


def selected(event_id: int, query: ListQuery) -> sa.Select:
    """The registrations the filters select, by name: the order a desk sorts printed badges in."""
    return sa.select(Registration).where(*matching(event_id, query)) \
        .order_by(Registration.name, Registration.id)


def count_selected(event_id: int, query: ListQuery) -> int:
    """How many badges the filters select, counted before anything is drawn."""
    return db.session.scalar(sa.select(sa.func.count()).where(*matching(event_id, query)))


def _pages(badges: list[Badge], layout: Layout) -> list[list[Badge]]:
    size = LABELS_PER_SHEET if layout is Layout.sheet else 1
    return [badges[start:start + size] for start in range(0, len(badges), size)]


def html(event: Event, registrations: Iterable[Registration], layout: Layout) -> str:
    """The badges as the HTML WeasyPrint lays out, in the event's language."""
    language = event.language or "en"
    badges = [badge_of(registration, language) for registration in registrations]
    with force_locale(language):
        return render_template("badges/badges.html", event=event, pages=_pages(badges, layout),
                               layout=layout.value, language=language)


def pdf_file(event: Event, registrations: Iterable[Registration], layout: Layout) -> IO[bytes]:
    """The badges as a PDF in an anonymous temporary file, rewound; the caller closes it (deleting it).

    A file, not bytes in memory: a sheet run of 2,000 badges is sent in chunks while the
    worker holds only WeasyPrint's document.
    """
    import weasyprint  # imported when badges are made: it loads Pango, which no other request needs

    target = tempfile.TemporaryFile(suffix=".pdf")
    try:
        weasyprint.HTML(string=html(event, registrations, layout), base_url=None).write_pdf(target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target

