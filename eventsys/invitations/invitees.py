"""Who is being invited: one person typed in, or a CSV file of them, checked row by row.

The file is UTF-8 (a byte-order mark is fine) with a header row naming the columns
name, email, institution, category, language and, optionally, country. Only name
and email are required. Rows are numbered as a spreadsheet shows them (the header
is row 1). category: student, faculty, industry or other (or the English label).
language: a code (en, zh, ru) or the language's name; empty means the event's.
country: an ISO code or an English name. Every row is checked before anything is
sent: one wrong row sends nothing, and the report says what is wrong with each.
"""

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys import csv_files
from eventsys.countries import country_code
from eventsys.database import db
from eventsys.events.models import Event
from eventsys.invitations.models import STANDING, Invitation
from eventsys.locales import language_code, supported_locale
from eventsys.registration.applicants import normalise_email
from eventsys.registration.mailboxes import mailbox_key
from eventsys.registration.models import (
    AFFILIATION_MAX,
    NAME_MAX,
    AttendeeCategory,
    Registration,
    RegistrationStatus,
)
from eventsys.textrules import text_problem

COLUMNS = ("name", "email", "institution", "category", "language", "country")
REQUIRED = ("name", "email")
#: a file longer than this is refused whole: a batch is one transaction and one page of report
MAX_ROWS = 2000


@dataclass
class Invitee:
    """One person to invite, as typed or read from a file, not yet checked."""

    name: str
    email: str
    institution: str = ""
    category: str = ""
    language: str = ""
    country: str = ""
    #: the row of the file it came from; None when typed in
    row: int | None = None
    #: the row had more cells than the header names columns
    extra_cells: bool = False


@dataclass
class InviteeReport:
    """One invitee: the checked values, or what is wrong."""

    invitee: Invitee
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the invitee passed every check."""
        return not self.errors


def read_file(data: bytes) -> list[Invitee]:
    """The invitees of a CSV file; csv_files.ImportFileError when it is not such a list."""
    rows = csv_files.read_rows(data, COLUMNS, REQUIRED, no_rows=_("The file has a header but no invitees."))
    if len(rows) > MAX_ROWS:
        raise csv_files.ImportFileError(_("The file has %(count)d rows; send at most %(limit)d at a time.",
                                          count=len(rows), limit=MAX_ROWS))
    invitees = []
    for number, cells in rows:
        invitee = Invitee(name=cells.get("name", ""), email=cells.get("email", ""),
                          institution=cells.get("institution", ""), category=cells.get("category", ""),
                          language=cells.get("language", ""), country=cells.get("country", ""), row=number,
                          extra_cells=bool(cells.get("__extra__")))
        invitees.append(invitee)
    return invitees


#: what a category cell may say: the value, or its English label
_CATEGORY_WORDS = {**{c.value: c for c in AttendeeCategory},
                   "faculty / researcher": AttendeeCategory.faculty, "researcher": AttendeeCategory.faculty}


def _line_errors(invitee: Invitee) -> tuple[dict[str, Any], list[str]]:
    """The row's own checks, needing nothing stored."""
    errors, values = [], {}
    name = (invitee.name or "").strip()
    if not name:
        errors.append(_("name is missing"))
    elif len(name) > NAME_MAX or text_problem(name):
        errors.append(_("name is not a name of at most %(limit)d characters on one line", limit=NAME_MAX))
    values["name"] = name
    try:
        values["email"] = normalise_email(invitee.email or "")
    except ValueError as problem:
        errors.append(_("email: %(problem)s", problem=problem))
    institution = (invitee.institution or "").strip()
    if len(institution) > AFFILIATION_MAX or text_problem(institution):
        errors.append(_("institution is not one line of at most %(limit)d characters", limit=AFFILIATION_MAX))
    values["affiliation"] = institution
    category = (invitee.category or "").strip().lower()
    values["category"] = _CATEGORY_WORDS.get(category) if category else None
    if category and values["category"] is None:
        # Translators: the choices are the file's own values, not to be translated.
        errors.append(_("category '%(value)s' is not one of %(choices)s", value=invitee.category,
                        choices=", ".join(c.value for c in AttendeeCategory)))
    language = (invitee.language or "").strip()
    values["locale"] = language_code(language) if language else None
    if language and values["locale"] is None:
        errors.append(_("language '%(value)s' is not one of en, zh, ru", value=language))
    country = (invitee.country or "").strip()
    values["country"] = country_code(country) if country else None
    if country and values["country"] is None:
        errors.append(_("country '%(value)s' is not a country we know (use a code such as RU, or its English "
                        "name)", value=country))
    if invitee.extra_cells:
        errors.append(_("the row has more cells than the header has columns"))
    return values, errors


def check_invitees(event: Event, invitees: list[Invitee]) -> list[InviteeReport]:
    """Check every invitee, against each other and against what the event already has."""
    report = []
    for invitee in invitees:
        values, errors = _line_errors(invitee)
        values["locale"] = values["locale"] or supported_locale(event.language) or "en"
        report.append(InviteeReport(invitee, values, errors))
    keys = {line.values["email"]: mailbox_key(line.values["email"])
            for line in report if "email" in line.values}
    invited = set(db.session.scalars(sa.select(Invitation.email_key).where(
        Invitation.event_id == event.id, Invitation.status.in_(STANDING),
        Invitation.email_key.in_(list(keys.values())))))
    registered = set(db.session.scalars(sa.select(Registration.email_key).where(
        Registration.event_id == event.id, Registration.status != RegistrationStatus.cancelled,
        Registration.email_key.in_(list(keys.values())))))
    seen: dict[str, int] = {}
    for number, line in enumerate(report, start=1):
        email = line.values.get("email")
        if email is None:
            continue
        key = keys[email]
        if key in seen:
            line.errors.append(_("the same address as row %(row)s", row=seen[key]))
        seen.setdefault(key, line.invitee.row or number)
        if key in invited:
            line.errors.append(_("%(email)s is already invited to this event", email=email))
        elif key in registered:
            line.errors.append(_("%(email)s is already registered for this event", email=email))
    return report

