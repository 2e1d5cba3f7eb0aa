"""An event's registrations as CSV or XLSX, streamed so memory stays flat whatever their number.

Rows are read with yield_per, which on PostgreSQL opens a server-side cursor: the
database hands them over a thousand at a time instead of all at once.

CSV leaves while it is being written. XLSX is a zip archive whose directory comes
last, so it cannot be sent before it is complete: XlsxWriter builds it row by row
in constant-memory mode into a temporary file, and the file is then sent in chunks.
The client waits, with nothing received, while the file is built.

Stored text is written as textrules.repaired gives it: rows stored before that rule
could hold a lone surrogate (no UTF-8 encoder takes one) or control characters.

Spreadsheets run a cell as a formula when its text starts with = + - or @ (or tab or
carriage return, which some strip first). Registrants type names and answers, so
such text gets a leading apostrophe in CSV, and is written as a string in XLSX.
"""

import codecs
import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import sqlalchemy as sa
import xlsxwriter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.countries import country_name
from eventsys.database import db
from eventsys.events.models import Event
from eventsys.registration.listing import ListQuery, matching, ordering
from eventsys.registration.models import Registration
from eventsys.textrules import NUMBER_LIMIT, check_number, repaired

#: rows read from the database per round trip
BATCH = 1000
#: the CSV text gathered before it is handed to the server
CSV_CHUNK = 64 * 1024
#: bytes of the XLSX file per chunk sent
FILE_CHUNK = 64 * 1024
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: the headers of the columns every export has, in the organiser's language (made str in Columns.headers)
FIXED_HEADERS = [
    _l("ID"), _l("Name"), _l("Name in Latin letters"), _l("Email"), _l("Affiliation"), _l("Country code"),
    _l("Country"), _l("Category"), _l("Status"), _l("Waiting-list number"), _l("Registered at (UTC)"),
    _l("Checked in at (UTC)"),
]


def defused(text: str) -> str:
    """The text with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat() if moment else ""


def _text(value: Any) -> str:
    """Any stored value as text a file can hold (see textrules.repaired), also an int of 5,000 digits."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > NUMBER_LIMIT:
        # str() refuses ints over 4,300 digits; hex does not, and such a number is an oddity anyway.
        return str(value) if value.bit_length() < 14_000 else hex(value)
    return repaired(str(value))


def answer_cell(value: Any) -> str | int | float:
    """An answer as one cell: choices joined with "; ", yes/no, numbers kept as numbers.

    Numbers beyond textrules' range (stored before it) are given as text: a spreadsheet
    cell holds a double, which cannot hold a 400-digit integer, nor infinity.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        try:
            return check_number(value)
        except ValueError:
            return _text(value)
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_text(k)}: {_text(v)}" for k, v in value.items())
    return _text(value)


@dataclass(frozen=True)
class Columns:
    """The question columns of an export, read before the response starts.

    The CSV is written after the view has returned and its session is closed, so the
    generator must not touch the event's ORM objects: it gets plain values instead.
    """

    #: question labels, the headers of the columns after the fixed ones
    labels: tuple[str, ...]
    #: the keys of the answers, in the same order
    keys: tuple[str, ...]

    @property
    def headers(self) -> list[str]:
        """The first row: fixed columns, then one per question labelled with it."""
        return [str(header) for header in FIXED_HEADERS] + list(self.labels)


def columns_of(event: Event) -> Columns:
    """The export columns of an event's questions, in form order."""
    questions = list(event.questions)
    return Columns(tuple(repaired(q.label) for q in questions), tuple(q.field_name for q in questions))


def rows(event_id: int, query: ListQuery, columns: Columns) -> Iterator[list]:
    """Every matching registration as a list of cells, in the list's order, read in batches."""
    statement = (
        sa.select(
            Registration.id, Registration.name, Registration.name_latin, Registration.email,
            Registration.affiliation, Registration.country, Registration.category, Registration.status,
            Registration.waitlist_number, Registration.created_at, Registration.checked_in_at,
            Registration.answers,
        )
        .where(*matching(event_id, query))
        .order_by(*ordering(query.sort))
        .execution_options(yield_per=BATCH)
    )
    keys = columns.keys
    for row in db.session.execute(statement):
        answers = row.answers if isinstance(row.answers, dict) else {}
        yield [
            row.id, repaired(row.name), repaired(row.name_latin), repaired(row.email),
            repaired(row.affiliation), row.country, country_name(row.country),
            row.category.value, row.status.value, row.waitlist_number or "",
            _utc(row.created_at), _utc(row.checked_in_at),
            *(answer_cell(answers.get(key)) for key in keys),
        ]


def csv_chunks(event_id: int, query: ListQuery, columns: Columns) -> Iterator[bytes]:
    """The CSV file in UTF-8 with a BOM (so Excel reads Cyrillic and Chinese right), chunk by chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield codecs.BOM_UTF8
    writer.writerow([defused(h) for h in columns.headers])
    for cells in rows(event_id, query, columns):
        writer.writerow([defused(c) if isinstance(c, str) else c for c in cells])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _write_row(sheet, row: int, cells: list) -> None:
    for column, cell in enumerate(cells):
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            sheet.write_number(row, column, cell)
        elif cell != "":
            # write_string, never write(): text is stored as text even when it looks like a formula.
            sheet.write_string(row, column, cell)


def xlsx_file(event: Event, query: ListQuery) -> IO[bytes]:
    """The XLSX workbook in an anonymous temporary file, rewound; the caller closes it (which deletes it)."""
    columns = columns_of(event)
    target = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False,
                                                "strings_to_formulas": False, "strings_to_urls": False})
        # Translators: the name of the sheet in the spreadsheet; at most 31 characters, none of [ ] : * ? /
        sheet = workbook.add_worksheet(_("Registrations"))
        bold = workbook.add_format({"bold": True})
        for column, title in enumerate(columns.headers):
            sheet.write_string(0, column, title, bold)
        for number, cells in enumerate(rows(event.id, query, columns), start=1):
            _write_row(sheet, number, cells)
        workbook.close()
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    """Read the file out in chunks, then close it, also when the client goes away early."""
    try:
        while chunk := file.read(FILE_CHUNK):
            yield chunk
    finally:
        file.close()
