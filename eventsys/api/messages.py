"""The API's validation messages in the language of the request (Accept-Language), in our own words.

webargs and marshmallow say what is wrong with a field in English, already formatted
("Longer than maximum length 200."). Rather than replace every field class's
default_error_messages, the error handler looks each message up here: the fixed ones
by their words, the ones with a number or a list by their pattern. A message not
listed (one of our own services', already marked) passes unchanged.
"""

import re
from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: marshmallow's and webargs' fixed messages → ours
_FIXED = {
    "Missing data for required field.": _l("This field is required."),
    "Unknown field.": _l("This field is not one we know: check its name."),
    "Field may not be null.": _l("This field cannot be null."),
    "Not a valid string.": _l("Enter text here."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid number.": _l("Enter a number."),
    "Not a valid boolean.": _l("Enter true or false."),
    "Not a valid email address.": _l("Enter a valid email address."),
    "Not a valid datetime.": _l("Enter a date and time, such as 2026-05-12T09:30:00+08:00."),
    "Not a valid date.": _l("Enter a date as YYYY-MM-DD."),
    "Not a valid mapping type.": _l("Enter an object here."),
    "Not a valid list.": _l("Enter a list here."),
    "Invalid input type.": _l("Send a JSON object."),
    "Consent to the processing of these details is required.":
        _l("Consent to the processing of these details is required."),
}
#: messages with values in them → ours, given the values
_PATTERNS: tuple[tuple[re.Pattern, Callable[[re.Match], str]], ...] = (
    (re.compile(r"Length must be between (\d+) and (\d+)\."),
     lambda m: _("Use %(min)s to %(max)s characters.", min=m[1], max=m[2])),
    (re.compile(r"Shorter than minimum length (\d+)\."),
     lambda m: _("Use at least %(min)s characters.", min=m[1])),
    (re.compile(r"Longer than maximum length (\d+)\."),
     lambda m: _("Use at most %(max)s characters.", max=m[1])),
    (re.compile(r"Length must be (\d+)\."), lambda m: _("Use exactly %(length)s characters.", length=m[1])),
    (re.compile(r"Must be one of: (.*)\.", re.DOTALL),
     lambda m: _("Choose one of: %(choices)s.", choices=m[1])),
)


def in_request_language(message: str) -> str:
    """The message in our words and the request's language, if it is one of webargs' or marshmallow's."""
    fixed = _FIXED.get(message)
    if fixed is not None:
        return str(fixed)
    for pattern, ours in _PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return ours(match)
    return message
