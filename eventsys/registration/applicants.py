"""Checking what a person submits to register: one set of rules for the form and the API."""

from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email

from eventsys.countries import is_country
from eventsys.events.models import Event
from eventsys.registration.answers import InvalidAnswers, clean_answers
from eventsys.registration.errors import InvalidRegistration
from eventsys.registration.models import AFFILIATION_MAX, EMAIL_MAX, NAME_MAX, AttendeeCategory
from eventsys.textrules import check_text


@dataclass
class Applicant:
    """What a person submits to register, before it is checked."""

    name: str
    email: str
    country: str
    category: str
    affiliation: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    locale: str = "en"


def normalise_email(address: str) -> str:
    """The address in the form we compare and store; raises ValueError with a readable reason."""
    if not isinstance(address, str):
        raise ValueError("Enter an email address.")
    check_text(address.strip())
    if len(address) > 2 * EMAIL_MAX:
        raise ValueError(f"An email address has at most {EMAIL_MAX} characters.")
    try:
        checked = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as problem:
        raise ValueError(str(problem)) from None
    if len(checked.normalized) > EMAIL_MAX:
        raise ValueError(f"An email address has at most {EMAIL_MAX} characters.")
    # Mailboxes are case-insensitive in practice; treating them so stops the same person registering twice.
    return checked.normalized.lower()


def _line(value: str | None, limit: int, what: str, required: bool = False) -> str:
    """One line of typed text, stripped; raises ValueError saying what is wrong with it."""
    if value is not None and not isinstance(value, str):
        raise ValueError(f"Enter your {what} as text.")
    text = (value or "").strip()
    if required and not text:
        raise ValueError(f"Enter your {what}.")
    if len(text) > limit:
        raise ValueError(f"Keep the {what} under {limit} characters.")
    return check_text(text)


def _country(code: str | None) -> str:
    if code is not None and not isinstance(code, str):
        raise ValueError("Choose a country from the list (ISO 3166 code such as RU or CN).")
    code = (code or "").strip().upper()
    if not is_country(code):
        raise ValueError("Choose a country from the list (ISO 3166 code such as RU or CN).")
    return code


def _category(value: str | None) -> AttendeeCategory:
    try:
        return AttendeeCategory(value)
    except (ValueError, TypeError):
        raise ValueError(f"Choose one of: {', '.join(c.value for c in AttendeeCategory)}.") from None


def clean_applicant(event: Event, applicant: Applicant) -> dict[str, Any]:
    """Check every field and the answers together, so the person sees all problems at once."""
    checks = {
        "name": lambda: _line(applicant.name, NAME_MAX, "name", required=True),
        "email": lambda: normalise_email(applicant.email or ""),
        "affiliation": lambda: _line(applicant.affiliation, AFFILIATION_MAX, "affiliation"),
        "country": lambda: _country(applicant.country),
        "category": lambda: _category(applicant.category),
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
