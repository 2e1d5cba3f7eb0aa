"""Checking what a person submits to register: one set of rules for the form and the API."""

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.countries import is_country
from eventsys.email_addresses import checked_address
from eventsys.events.models import Event
from eventsys.registration.answers import InvalidAnswers, clean_answers
from eventsys.registration.errors import InvalidRegistration
from eventsys.registration.models import AFFILIATION_MAX, EMAIL_MAX, NAME_MAX, AttendeeCategory
from eventsys.textrules import check_text
from eventsys.timezones import is_timezone

#: what is wrong with each field that is one line of text; made into words when raised
_LINE_MESSAGES = {
    "name": {
        "not_text": _l("Enter your name as text."),
        "missing": _l("Enter your name."),
        "too_long": _l("Keep the name under %(limit)s characters."),
    },
    "name_latin": {
        "not_text": _l("Enter your name in Latin letters as text."),
        "too_long": _l("Keep the name under %(limit)s characters."),
    },
    "affiliation": {
        "not_text": _l("Enter your affiliation as text."),
        "too_long": _l("Keep the affiliation under %(limit)s characters."),
    },
}


@dataclass
class Applicant:
    """What a person submits to register, before it is checked."""

    name: str
    email: str
    country: str
    category: str
    affiliation: str = ""
    #: the name in Latin letters, as in the passport, when the name is written in another script
    name_latin: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    locale: str = "en"
    #: the IANA zone the person is in, if they say (the form prefills it from the browser)
    timezone: str | None = None


def normalise_email(address: str) -> str:
    """The address in the form we compare and store; raises ValueError with a readable reason."""
    if not isinstance(address, str):
        raise ValueError(_("Enter an email address."))
    check_text(address.strip())
    if not address.strip():
        raise ValueError(_("Enter your email address."))
    if len(address) > 2 * EMAIL_MAX:
        raise ValueError(_("An email address has at most %(limit)s characters.", limit=EMAIL_MAX))
    checked = checked_address(address.strip())
    if len(checked.normalized) > EMAIL_MAX:
        raise ValueError(_("An email address has at most %(limit)s characters.", limit=EMAIL_MAX))
    # Mailboxes are case-insensitive in practice; treating them so stops the same person registering twice.
    return checked.normalized.lower()


def _line(value: str | None, limit: int, field: str, required: bool = False) -> str:
    """One line of typed text, stripped; raises ValueError saying what is wrong with the field's text."""
    messages = _LINE_MESSAGES[field]
    if value is not None and not isinstance(value, str):
        raise ValueError(str(messages["not_text"]))
    text = (value or "").strip()
    if required and not text:
        raise ValueError(str(messages["missing"]))
    if len(text) > limit:
        raise ValueError(str(messages["too_long"]) % {"limit": limit})
    return check_text(text)


#: what a name in Latin letters may hold besides the letters: spaces, hyphens, apostrophes and dots
_LATIN_NAME_MARKS = frozenset(" -'.\u2019")


def _latin_name(value: str | None) -> str:
    """The name in Latin letters, as badges print it beneath one in another script ("" when not given).

    Letters of the Latin script only, accents included (José, Müller), so what is printed
    is what a passport's Latin line holds; composed (NFC) so "é" is one letter, not two.
    """
    text = unicodedata.normalize("NFC", _line(value, NAME_MAX, "name_latin"))
    for character in text:
        if character in _LATIN_NAME_MARKS:
            continue
        if not (character.isalpha() and unicodedata.name(character, "").startswith("LATIN ")):
            raise ValueError(_("Use Latin letters only (A–Z, with accents if any), spaces, hyphens, "
                               "apostrophes and dots, as in your passport."))
    return text


def _country(code: str | None) -> str:
    if code is not None and not isinstance(code, str):
        raise ValueError(_("Choose a country from the list (ISO 3166 code such as RU or CN)."))
    code = (code or "").strip().upper()
    if not is_country(code):
        raise ValueError(_("Choose a country from the list (ISO 3166 code such as RU or CN)."))
    return code


def _zone(name: str | None) -> str | None:
    """The person's own time zone, or None when they gave none."""
    if name is not None and not isinstance(name, str):
        raise ValueError(_("Choose your time zone from the list (such as Europe/Moscow)."))
    name = (name or "").strip()
    if not name:
        return None
    if not is_timezone(name):
        raise ValueError(_("Choose your time zone from the list (such as Europe/Moscow)."))
    return name


def _category(value: str | None) -> AttendeeCategory:
    try:
        return AttendeeCategory(value)
    except (ValueError, TypeError):
        # Translators: the choices are the API's own values (student, faculty…), not to be translated.
        raise ValueError(_("Choose one of: %(choices)s.",
                           choices=", ".join(c.value for c in AttendeeCategory))) from None


def clean_applicant(event: Event, applicant: Applicant) -> dict[str, Any]:
    """Check every field and the answers together, so the person sees all problems at once."""
    checks = {
        "name": lambda: _line(applicant.name, NAME_MAX, "name", required=True),
        "name_latin": lambda: _latin_name(applicant.name_latin),
        "email": lambda: normalise_email(applicant.email or ""),
        "affiliation": lambda: _line(applicant.affiliation, AFFILIATION_MAX, "affiliation"),
        "country": lambda: _country(applicant.country),
        "category": lambda: _category(applicant.category),
        "timezone": lambda: _zone(applicant.timezone),
    }
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field_name, check in checks.items():
        try:
            values[field_name] = check()
        except ValueError as problem:
            errors[field_name] = [str(problem)]
    try:
        values["answers"] = clean_answers(event.questions, applicant.answers)
    except InvalidAnswers as problem:
        # "answers.<question id>", so both the API and the form can point at the one question.
        errors.update({f"answers.{key}" if key else "answers": msgs for key, msgs in problem.errors.items()})
    if errors:
        raise InvalidRegistration(errors)
    return values
