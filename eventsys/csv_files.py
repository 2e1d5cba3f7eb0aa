"""Reading a spreadsheet saved as CSV into numbered rows of named cells, with reasons a person can act on.

Speakers and invitees are imported this way. Rows are numbered as a spreadsheet
shows them: the header is row 1, so "row 7" is where the person looks.
"""

import csv
import io
from collections.abc import Sequence

from flask_babel import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be read as the list asked for; the message says why."""


def read_rows(data: bytes, columns: Sequence[str], required: Sequence[str], optional: Sequence[str] = (),
              no_rows: str = "") -> list[tuple[int, dict[str, str]]]:
    """(row number, cells by column) for each data row; ImportFileError when the file is not such a list.

    no_rows: what to say of a file with a header and nothing under it. A row longer than
    the header gets the cell "__extra__", for the caller to report.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The file is not UTF-8 text. Save it from the spreadsheet as "
                                "“CSV UTF-8” and try again.")) from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as problem:
        raise ImportFileError(_("The file cannot be read as CSV (%(problem)s).", problem=problem)) from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise ImportFileError(_("The file is empty: the first row must name the columns."))
    header = [cell.strip().lower() for cell in records[0]]
    unknown = [name for name in header if name not in columns and name not in optional]
    if unknown:
        if optional:
            raise ImportFileError(_(
                "Unknown columns: %(unknown)s. The columns are %(columns)s (and optionally %(optional)s).",
                unknown=", ".join(unknown), columns=", ".join(columns), optional=", ".join(optional)))
        raise ImportFileError(_("Unknown columns: %(unknown)s. The columns are %(columns)s.",
                                unknown=", ".join(unknown), columns=", ".join(columns)))
    missing = [name for name in required if name not in header]
    if missing:
        # Translators: column names, kept in English as the file's first row must say them.
        raise ImportFileError(_("The header has no %(column)s column.", column=missing[0])
                              if len(missing) == 1 else
                              _("The header has no %(first)s or %(second)s column.",
                                first=missing[0], second=missing[1]))
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets leave blank lines at the end
        padded = record + [""] * (len(header) - len(record))
        rows.append((number, {name: padded[index].strip() for index, name in enumerate(header)}))
        if len(record) > len(header):
            rows[-1][1]["__extra__"] = "yes"
    if not rows:
        raise ImportFileError(no_rows or _("The file has a header but no rows."))
    return rows
