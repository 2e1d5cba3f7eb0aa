"""Importing speakers from a CSV file: every row checked first, then all written in one transaction.

The file is UTF-8 (a byte-order mark is fine) with a header row naming the columns
name, title, email, institution, country, honours, expertise, biography (only name
and country are required; honours and expertise are separated by ';'). Rows are
numbered as a spreadsheet shows them: the header is row 1.

- every cell is held to eventsys.textrules (line breaks only in the biography).
- country: an ISO alpha-2 code ("CN") or an English name ("China", "Russia").
- institution: matched by name, ignoring case and spacing. One not in the directory
  is an error, unless the file has an extra column institution_country: then it is
  created with that country (once, however many rows name it).
- language: of the speaker's emails, a code (en, zh, ru) or the language's name in
  English or in itself ("Russian", "Русский"). Empty: a new speaker gets the language
  of their country (locales.language_for_country), one already stored keeps theirs.
- email: a speaker already in the directory with that address is updated, not
  duplicated: filled cells replace what is stored (honours and expertise as whole
  lists), empty cells keep it. The same address twice in the file is an error.
- no email: the row adds a new speaker, unless one of that name is already in the
  directory; then it is skipped (re-importing a file must not double anyone).
By default nothing is written when any row is invalid; with valid_only the valid
rows are written and the invalid ones reported.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from eventsys import csv_files
from eventsys.countries import country_code
from eventsys.csv_files import ImportFileError
from eventsys.database import db
from eventsys.locales import language_code, language_for_country
from eventsys.speakers import records
from eventsys.speakers.models import Institution, Speaker
from eventsys.textrules import text_problem

COLUMNS = ("name", "title", "email", "institution", "country", "honours", "expertise", "biography",
           "language")
REQUIRED = ("name", "country")
#: the optional column that lets the import create institutions it does not know
INSTITUTION_COUNTRY = "institution_country"
#: column lengths of the records
LIMITS = {"name": 200, "title": 100, "email": 254, "institution": 300}
@dataclass
class RowReport:
    """One data row: what will be (or was) done with it, or why it cannot be."""

    number: int
    name: str
    action: str = ""  # "create", "update" or "skip" once valid
    errors: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        """Whether the row passed every check."""
        return not self.errors


@dataclass
class ImportReport:
    """The result of an import: a line per row, what was written, and why not if nothing was."""

    rows: list[RowReport] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    skipped: int = 0
    new_institutions: list[str] = field(default_factory=list)
    imported: bool = False

    @property
    def invalid_rows(self) -> list[RowReport]:
        """The rows with errors."""
        return [row for row in self.rows if not row.ok]

    def outcome(self) -> str:
        """One sentence an organiser can act on."""
        if self.file_errors:
            return _("Nothing was imported: %(reasons)s", reasons=" ".join(self.file_errors))
        if not self.imported:
            if self.invalid_rows:
                return ngettext("Nothing was imported: %(num)d of %(rows)d rows have errors. Correct it, "
                                "or choose to import only the valid rows.",
                                "Nothing was imported: %(num)d of %(rows)d rows have errors. Correct them, "
                                "or choose to import only the valid rows.",
                                len(self.invalid_rows), rows=len(self.rows))
            return _("Nothing was imported: no row had anything to add or change.")
        added, left_out = len(self.new_institutions), len(self.invalid_rows)
        parts = [_("Speakers created: %(created)d, updated: %(updated)d, skipped: %(skipped)d",
                   created=self.created, updated=self.updated, skipped=self.skipped)]
        if added:
            parts.append(_("institutions added: %(added)d", added=added))
        if left_out:
            parts.append(_("invalid rows left out: %(left_out)d", left_out=left_out))
        return _("Imported. %(counts)s.", counts="; ".join(parts))


@dataclass
class _Row:
    """A checked row and what it becomes."""

    report: RowReport
    values: dict[str, str]
    speaker: Speaker | None = None
    institution_key: str | None = None


@dataclass
class ImportPlan:
    """The checked file: its rows, the directory's institutions by folded name, those the file would add."""

    rows: list[_Row]
    institutions: dict[str, Institution]
    new_institutions: dict[str, tuple[str, str]] = field(default_factory=dict)
    file_errors: list[str] = field(default_factory=list)

    def to_write(self, valid_only: bool) -> list[_Row]:
        """The rows that would create or update a speaker: none while any is invalid, unless valid_only."""
        if self.file_errors or (not valid_only and any(not row.report.ok for row in self.rows)):
            return []
        return [row for row in self.rows if row.report.ok and row.report.action != "skip"]


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, cells by column) for each data row; ImportFileError if it is no speaker list."""
    return csv_files.read_rows(data, COLUMNS, REQUIRED, optional=(INSTITUTION_COUNTRY,),
                               no_rows=_("The file has a header but no speakers."))


def _folded(text: str) -> str:
    return " ".join(text.split()).lower()


def _speakers_by_email(emails: list[str]) -> dict[str, Speaker]:
    """Speakers with these addresses (lower case), honours and expertise loaded, in chunks of 500."""
    found: dict[str, Speaker] = {}
    for start in range(0, len(emails), 500):
        for speaker in db.session.scalars(
            sa.select(Speaker).where(sa.func.lower(Speaker.email).in_(emails[start:start + 500]))
            .options(selectinload(Speaker.honour_rows), selectinload(Speaker.expertise_rows))
        ):
            found[speaker.email.lower()] = speaker
    return found


def _check_cells(row: _Row, plan: ImportPlan) -> None:
    """The checks of one row that need only its own cells and the institutions."""
    cells, errors = row.values, row.report.errors
    if cells.pop("__extra__", None):
        errors.append(_("has more cells than the header has columns"))
    if not cells.get("name"):
        errors.append(_("name is empty"))
    for column, value in cells.items():
        problem = text_problem(value, multiline=column == "biography")
        if problem:
            errors.append(_("%(column)s: %(problem)s", column=column, problem=problem))
    errors.extend(_("%(column)s is longer than %(limit)s characters", column=column, limit=limit)
                  for column, limit in LIMITS.items() if len(cells.get(column, "")) > limit)
    code = country_code(cells.get("country", ""))
    if code is None:
        errors.append(_("country '%(value)s' is not a country", value=cells["country"])
                      if cells.get("country") else _("country is empty"))
    cells["country"] = code or ""
    language = cells.get("language", "")
    if language and language_code(language) is None:
        errors.append(_("language '%(value)s' is not one of en, zh, ru", value=language))
    cells["language"] = language_code(language) if language else ""
    for column, make_list in (("honours", records.honour_list), ("expertise", records.tag_list)):
        cells[column] = make_list((cells.get(column) or "").split(";"))
        errors.extend(_("%(column)s: '%(start)s…' is longer than %(limit)s characters", column=column,
                        start=value[:40], limit=records.TAG_MAX)
                      for value in cells[column] if len(value) > records.TAG_MAX)
    institution = " ".join((cells.get("institution") or "").split())
    row.institution_key = institution.lower() or None
    if not institution or row.institution_key in plan.institutions | plan.new_institutions:
        return  # known, or added by an earlier row of the file
    where = cells.get(INSTITUTION_COUNTRY, "")
    if country_code(where):
        plan.new_institutions.setdefault(row.institution_key, (institution, country_code(where)))
        row.report.note = _("adds the institution %(name)s", name=institution)
    elif where:
        errors.append(_("%(column)s '%(value)s' is not a country", column=INSTITUTION_COUNTRY, value=where))
    else:
        errors.append(_("institution '%(name)s' is not in the directory; add it under Institutions, "
                        "or give its country in an %(column)s column", name=institution,
                        column=INSTITUTION_COUNTRY))


def _notes(first: str, row: _Row) -> str:
    """What will happen, then what the checks noted on the way (an institution to add)."""
    return f"{first}; {row.report.note}" if row.report.note else first


def check_rows(rows: list[tuple[int, dict[str, str]]]) -> ImportPlan:
    """Every row checked against the rules and the directory, in a few queries however long the file."""
    by_email = _speakers_by_email(sorted({cells.get("email", "").lower() for _, cells in rows} - {""}))
    names_in_directory = {_folded(name) for name in db.session.scalars(sa.select(Speaker.name))}
    plan = ImportPlan([], {_folded(i.name): i for i in db.session.scalars(sa.select(Institution))})
    first_row_of: dict[tuple[str, str], int] = {}  # by email, or by name for rows without one
    for number, cells in rows:
        row = _Row(RowReport(number, cells.get("name", "")), dict(cells))
        plan.rows.append(row)
        _check_cells(row, plan)
        try:
            email = row.values["email"] = records.normal_email(cells.get("email"))
        except records.RecordError:
            row.report.errors.append(_("email '%(value)s' is not a valid email address",
                                       value=cells["email"]))
            continue
        name = _folded(row.report.name)
        key = ("email", email) if email else ("name", name)
        if key in first_row_of:
            row.report.errors.append(
                _("email %(email)s is also on row %(row)s", email=email, row=first_row_of[key]) if email else
                _("same name as row %(row)s, and no email to tell them apart", row=first_row_of[key]))
        first_row_of.setdefault(key, number)
        if not row.report.ok:
            continue
        row.speaker = by_email.get(email) if email else None
        if row.speaker is not None:
            row.report.action = "update"
            row.report.note = _notes(_("updates %(name)s", name=row.speaker.display_name), row)
        elif not email and name in names_in_directory:
            row.report.action = "skip"
            row.report.note = _("skipped: a speaker of this name is already in the directory "
                                "(no email to update by)")
        else:
            row.report.action, row.report.note = "create", _notes(_("new speaker"), row)
    return plan


def _institution_ids(rows: list[_Row], plan: ImportPlan) -> dict[str, int]:
    """Ids by folded name of the institutions the rows name, adding (and flushing) the new ones they use."""
    used = {row.institution_key for row in rows} - {None}
    for key in sorted(used & plan.new_institutions.keys()):
        name, country = plan.new_institutions[key]
        plan.institutions[key] = Institution(name=name, country=country)
        db.session.add(plan.institutions[key])
    db.session.flush()
    return {key: plan.institutions[key].id for key in used}


def _write(row: _Row, institution_ids: dict[str, int]) -> None:
    """Create or update the row's speaker; on update an empty cell keeps what is stored."""
    cells, speaker = row.values, row.speaker or Speaker()
    if row.speaker is None:
        db.session.add(speaker)
    speaker.name, speaker.country = " ".join(cells["name"].split()), cells["country"]
    speaker.email = cells["email"] or speaker.email
    if row.institution_key:
        speaker.institution_id = institution_ids[row.institution_key]
    if cells["language"] or row.speaker is None:
        speaker.locale = cells["language"] or language_for_country(cells["country"])
    for column in ("title", "biography"):
        if cells.get(column) or row.speaker is None:
            setattr(speaker, column, cells.get(column) or "")
    if cells["honours"] or row.speaker is None:
        records.replace_honours(speaker, cells["honours"])
    if cells["expertise"] or row.speaker is None:
        records.replace_expertise(speaker, cells["expertise"])


def check_file(data: bytes) -> ImportPlan:
    """Read and check every row of the CSV file, writing nothing; an unreadable file has file_errors."""
    try:
        return check_rows(read_rows(data))
    except ImportFileError as unreadable:
        return ImportPlan([], {}, file_errors=[str(unreadable)])


def carry_out(plan: ImportPlan, valid_only: bool = False,
              progress: Callable[[int], None] | None = None) -> ImportReport:
    """Write the plan's rows in one transaction, or none (see above); progress(1) after each row."""
    report = ImportReport(rows=[row.report for row in plan.rows], file_errors=list(plan.file_errors))
    to_write = plan.to_write(valid_only)
    report.skipped = sum(1 for row in plan.rows if row.report.action == "skip") if to_write else 0
    if not to_write:
        return report
    try:
        institution_ids = _institution_ids(to_write, plan)
        for row in to_write:
            _write(row, institution_ids)
            if progress:
                progress(1)
        db.session.commit()
    except sa.exc.IntegrityError:
        # Someone added the same address or institution while the file was being checked.
        db.session.rollback()
        report.file_errors.append(_("The directory changed while the file was imported; nothing was "
                                    "imported. Import the file again."))
        return report
    report.imported = True
    report.created = sum(1 for row in to_write if row.report.action == "create")
    report.updated = len(to_write) - report.created
    report.new_institutions = sorted(plan.new_institutions[key][0] for key in institution_ids
                                     if key in plan.new_institutions)
    return report


def import_speakers(data: bytes, valid_only: bool = False,
                    progress: Callable[[int], None] | None = None) -> ImportReport:
    """Check every row of the CSV file, then write the valid ones in one transaction, or none (see above)."""
    return carry_out(check_file(data), valid_only, progress)
