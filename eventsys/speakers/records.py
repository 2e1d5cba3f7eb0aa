"""Creating, changing and deleting speaker and institution records: one way in for the pages, the CSV
import and the organiser API.

Every rule a record must keep is checked here, so a page, the import and the API
refuse the same things with the same words; a RecordError names the field.

A record something refers to is not deleted (RecordInUse): a speaker who took part in
an event stays, for its programme and their history; an institution where speakers
work stays, or they would lose it without anyone deciding so. The check and the
delete happen under the record's row lock (SELECT … FOR UPDATE on PostgreSQL, the
write lock on SQLite), which a new reference must wait for (its foreign key check
locks the row it refers to): no engagement or speaker can appear between them, and
then be deleted with the record by its ON DELETE rule.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from eventsys.countries import is_country
from eventsys.database import db
from eventsys.email_addresses import checked_address
from eventsys.locales import language_for_country
from eventsys.speakers.models import (
    KNOWN_HONOURS,
    Engagement,
    Institution,
    Speaker,
    SpeakerExpertise,
    SpeakerHonour,
)
from eventsys.textsearch import lowered
from eventsys.timezones import is_timezone

#: longest honour or field of expertise (the column's length)
TAG_MAX = 200


class RecordError(Exception):
    """A record cannot be saved as given; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class RecordInUse(RecordError):
    """A record cannot be deleted: something still refers to it (the message says what)."""

    def __init__(self, message: str):
        super().__init__("", message)


@dataclass
class SpeakerDetails:
    """What the organiser says about a speaker."""

    name: str
    country: str
    title: str = ""
    email: str | None = None
    institution_id: int | None = None
    biography: str = ""
    honours: list[str] = field(default_factory=list)
    expertise: list[str] = field(default_factory=list)
    #: the language of the speaker's emails; None or "" for the one of the country they work in
    locale: str | None = None
    #: the speaker's own zone; "" to clear it, None to leave it as stored (an import without the column)
    timezone: str | None = None


@dataclass
class InstitutionDetails:
    """What the organiser says about an institution."""

    name: str
    country: str
    city: str = ""
    website: str = ""
    partner: bool = False
    partner_since: date | None = None


def tag_list(values: Iterable[str], known: Iterable[str] = ()) -> list[str]:
    """Trimmed, non-empty values without repeats (ignoring case); a known one takes its usual spelling."""
    usual = {value.lower(): value for value in known}
    seen: dict[str, str] = {}
    for value in values:
        value = " ".join(value.split())
        if value and value.lower() not in seen:
            seen[value.lower()] = usual.get(value.lower(), value)
    return list(seen.values())


def honour_list(values: Iterable[str]) -> list[str]:
    """Honours as tag_list makes them, with the office's usual spelling of the well-known ones."""
    return tag_list(values, KNOWN_HONOURS)


def normal_email(email: str | None) -> str | None:
    """The address as stored (trimmed, lower case), None for none; RecordError if it is no address."""
    email = (email or "").strip().lower()
    if not email:
        return None
    try:
        checked_address(email)
    except ValueError as problem:
        raise RecordError("email", str(problem)) from None
    return email


def speaker_language(locale: str | None, country: str) -> str:
    """The language to store: the one named, else the country's; RecordError for one we do not write."""
    if not locale:
        return language_for_country(country)
    if locale not in current_app.config["SUPPORTED_LOCALES"]:
        raise RecordError("locale", _("Choose one of the languages offered."))
    return locale


def speaker_with_email(email: str) -> Speaker | None:
    """The speaker whose address this is, ignoring case."""
    return db.session.scalars(sa.select(Speaker).where(sa.func.lower(Speaker.email) == email.lower())).first()


def check_speaker(details: SpeakerDetails, speaker_id: int | None = None) -> SpeakerDetails:
    """The details made ready to store, or RecordError for the first rule they break."""
    name = " ".join(details.name.split())
    if not name:
        raise RecordError("name", _("Enter the speaker's name."))
    if not is_country(details.country):
        raise RecordError("country", _("Choose the country the speaker works in."))
    email = normal_email(details.email)
    if email is not None:
        holder = speaker_with_email(email)
        if holder is not None and holder.id != speaker_id:
            raise RecordError("email", _("%(email)s is already the address of %(name)s.",
                                          email=email, name=holder.display_name))
    if details.institution_id is not None and db.session.get(Institution, details.institution_id) is None:
        raise RecordError("institution_id", _("Choose an institution from the list."))
    honours, expertise = honour_list(details.honours), tag_list(details.expertise)
    for name_of_field, values in (("honours", honours), ("expertise", expertise)):
        too_long = [value for value in values if len(value) > TAG_MAX]
        if too_long:
            raise RecordError(name_of_field, _("Keep each line under %(limit)s characters: %(start)s…",
                                               limit=TAG_MAX, start=too_long[0][:40]))
    locale = speaker_language(details.locale, details.country)
    if details.timezone and not is_timezone(details.timezone):
        raise RecordError("timezone", _("Choose the timezone from the list."))
    return SpeakerDetails(name=name, country=details.country, title=details.title.strip(), email=email,
                          institution_id=details.institution_id, biography=details.biography.strip(),
                          honours=honours, expertise=expertise, locale=locale, timezone=details.timezone)


def _replace_rows(rows: list, wanted: list[str], attribute: str, make) -> None:
    """Make the rows hold exactly the wanted values, keeping rows that stay (their keys are the values)."""
    for row in [row for row in rows if getattr(row, attribute) not in wanted]:
        rows.remove(row)
    present = {getattr(row, attribute) for row in rows}
    rows.extend(make(value) for value in wanted if value not in present)


def fill_speaker(speaker: Speaker, details: SpeakerDetails) -> Speaker:
    """Copy checked details onto the speaker record (no flush, no commit)."""
    speaker.name, speaker.title, speaker.email = details.name, details.title, details.email
    speaker.country, speaker.institution_id = details.country, details.institution_id
    speaker.biography, speaker.locale = details.biography, details.locale
    if details.timezone is not None:
        speaker.timezone = details.timezone or None
    replace_honours(speaker, details.honours)
    replace_expertise(speaker, details.expertise)
    return speaker


def replace_honours(speaker: Speaker, honours: list[str]) -> None:
    """Give the speaker exactly these honours (already cleaned by honour_list)."""
    _replace_rows(speaker.honour_rows, honours, "name", lambda value: SpeakerHonour(name=value))


def replace_expertise(speaker: Speaker, expertise: list[str]) -> None:
    """Give the speaker exactly these fields of expertise (already cleaned by tag_list)."""
    _replace_rows(speaker.expertise_rows, expertise, "field", lambda value: SpeakerExpertise(field=value))


def _commit_speaker(speaker: Speaker) -> Speaker:
    """Commit; an address taken by someone else a moment ago comes back as a RecordError."""
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise RecordError("email", _("That email address was just given to another speaker.")) from None
    return speaker


def create_speaker(details: SpeakerDetails) -> Speaker:
    """Add a speaker to the directory; RecordError (nothing written) when a rule is broken."""
    speaker = fill_speaker(Speaker(), check_speaker(details))
    db.session.add(speaker)
    return _commit_speaker(speaker)


def update_speaker(speaker: Speaker, details: SpeakerDetails) -> Speaker:
    """Change a speaker's record; RecordError (nothing written) when a rule is broken."""
    checked = check_speaker(details, speaker.id)
    return _commit_speaker(fill_speaker(speaker, checked))


def check_website(website: str) -> str:
    """The address trimmed, or RecordError unless it is an http(s) address of a host."""
    website = website.strip()
    if not website:
        return ""
    parts = urlsplit(website)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise RecordError("website", _("Enter a web address starting with http:// or https://."))
    return website


def institution_named(name: str) -> Institution | None:
    """The institution of this name, ignoring case and spacing."""
    name = " ".join(name.split())
    return db.session.scalars(sa.select(Institution).where(lowered(Institution.name) == name.lower())).first()


def check_institution(details: InstitutionDetails, institution_id: int | None = None) -> InstitutionDetails:
    """The details made ready to store, or RecordError for the first rule they break."""
    name = " ".join(details.name.split())
    if not name:
        raise RecordError("name", _("Enter the institution's name."))
    holder = institution_named(name)
    if holder is not None and holder.id != institution_id:
        raise RecordError("name", _("There is already an institution named %(name)s.", name=holder.name))
    if not is_country(details.country):
        raise RecordError("country", _("Choose the institution's country."))
    if details.partner_since is not None and not details.partner:
        raise RecordError("partner_since",
                          _("Only a partner has a partnership date: tick Partner or clear it."))
    return InstitutionDetails(name=name, country=details.country, city=details.city.strip(),
                              website=check_website(details.website), partner=details.partner,
                              partner_since=details.partner_since)


def _save_institution(institution: Institution, details: InstitutionDetails) -> Institution:
    """Copy checked details and commit; a name taken a moment ago comes back as a RecordError."""
    for name, value in vars(details).items():
        setattr(institution, name, value)
    db.session.add(institution)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise RecordError("name", _("An institution of that name was just added by someone else.")) from None
    return institution


def create_institution(details: InstitutionDetails) -> Institution:
    """Add an institution; RecordError (nothing written) when a rule is broken."""
    return _save_institution(Institution(), check_institution(details))


def update_institution(institution: Institution, details: InstitutionDetails) -> Institution:
    """Change an institution; RecordError (nothing written) when a rule is broken."""
    return _save_institution(institution, check_institution(details, institution.id))


def _locked(model, record_id: int):
    """The record, locked until commit against anything that would start referring to it; None if gone."""
    db.session.commit()  # end earlier reads: the check below must see what is committed once locked
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has one writer: holding its write lock from here keeps the check and the delete together.
        db.session.execute(sa.update(model).where(model.id == record_id).values(id=model.id))
    return db.session.scalars(
        sa.select(model).where(model.id == record_id).with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _delete_unless(record, references: int, refusal: str) -> None:
    """Delete the locked record unless something refers to it; RecordInUse (nothing written) if so."""
    if references:
        db.session.rollback()
        raise RecordInUse(refusal)
    db.session.delete(record)
    db.session.commit()


def delete_speaker(speaker_id: int) -> bool:
    """Delete a speaker who never took part in an event; False if there is none, RecordInUse if they did."""
    speaker = _locked(Speaker, speaker_id)
    if speaker is None:
        db.session.rollback()
        return False
    events = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Engagement.event_id))).where(Engagement.speaker_id == speaker_id))
    _delete_unless(speaker, events, ngettext(
        "%(name)s takes part in %(num)d event: the record stays, for its programme and their history.",
        "%(name)s takes part in %(num)d events: the record stays, for their programmes and history.",
        events, name=speaker.display_name))
    return True


def delete_institution(institution_id: int) -> bool:
    """Delete an institution where no speaker works; False if there is none, RecordInUse if some do."""
    institution = _locked(Institution, institution_id)
    if institution is None:
        db.session.rollback()
        return False
    speakers = db.session.scalar(
        sa.select(sa.func.count(Speaker.id)).where(Speaker.institution_id == institution_id))
    _delete_unless(institution, speakers, ngettext(
        "%(num)d speaker works at %(name)s: give them another institution first.",
        "%(num)d speakers work at %(name)s: give them another institution first.",
        speakers, name=institution.name))
    return True
