"""Checking an email address, with email_validator, and saying what is wrong in the reader's language.

email_validator explains a bad address in English, in a developer's words ("The part
after the @-sign is not valid IDNA"). Its exceptions carry no code, only the sentence:
the sentence's telling words pick one of our own marked messages, and anything not
recognised gets a general one. Its words are never shown.
"""

from email_validator import EmailNotValidError, ValidatedEmail, validate_email
from flask_babel import lazy_gettext as _l

#: what email_validator's message says → what we say; the first match counts
_PROBLEMS = (
    (("must have an @-sign", "instead of a regular at-sign"),
     _l("An email address has an @ in it, like name@example.org.")),
    (("something before the @-sign",), _l("Something is missing before the @.")),
    (("something after the @-sign",), _l("Something is missing after the @.")),
    (("too long",), _l("This email address is too long.")),
    (("should have a period", "top-level domain"),
     _l("After the @ comes a domain with a dot in it, like example.org.")),
    (("special-use or reserved name",),
     _l("The part after the @ is a name kept for tests and examples, not a real domain.")),
    (("two periods in a row",), _l("An email address cannot have two dots in a row.")),
    (("cannot start with a", "cannot end with a", "period and a hyphen"),
     _l("Remove the dot or hyphen at the start or end of a part of the address.")),
    (("anything after the email address", "display name", "angle bracket"),
     _l("Enter the address alone, like name@example.org, without a name or brackets.")),
    (("character", "not supported", "not valid ASCII"),
     _l("Remove the characters an email address cannot have (spaces, commas, brackets…).")),
)
NOT_AN_ADDRESS = _l("This is not a valid email address; check it for typos.")


def address_problem(problem: EmailNotValidError) -> str:
    """Our own words, in the language being written, for what email_validator found wrong."""
    text = str(problem)
    for clues, message in _PROBLEMS:
        if any(clue in text for clue in clues):
            return str(message)
    return str(NOT_AN_ADDRESS)


def checked_address(address: str) -> ValidatedEmail:
    """The address as email_validator reads it (no DNS lookup); ValueError in the reader's words if none."""
    try:
        return validate_email(address, check_deliverability=False)
    except EmailNotValidError as problem:
        raise ValueError(address_problem(problem)) from None
