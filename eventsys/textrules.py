"""What text and numbers eventsys stores, whichever door they come in by: one rule, here.

Text is valid Unicode and holds only what a person types:
- no lone UTF-16 surrogate (U+D800–U+DFFF). A JSON escape such as "\\ud800" makes one in a
  Python str; no UTF-8 encoder accepts it, so a page, export or email showing it would fail;
- no control characters (C0, DEL, C1). PostgreSQL refuses NUL outright, and the others are
  never typed; tab and line breaks are allowed only where multi-line text is.
Numbers are finite and between -NUMBER_LIMIT and NUMBER_LIMIT, so spreadsheets and JSON can
hold them exactly (a double is exact up to 2**53).

Input is refused with a message for the person (`check_text`, `check_number`); what is
already stored is repaired (`repaired`, `repaired_json`), by a migration, and made
displayable (`displayable`) wherever it is shown.
"""

import math
import re
from typing import Any

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.locales import current_language

#: C0 controls other than tab and line breaks, DEL and the C1 controls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: allowed in multi-line text only
_LINE_BREAK = re.compile(r"[\t\n\r]")
#: half of a UTF-16 pair; in a Python str such a code point is always alone
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: what a broken character is shown and stored as once repaired
REPLACEMENT = "\ufffd"

#: the largest number an answer may be, either way
NUMBER_LIMIT = 10**12

# Lazy: the words are chosen when shown, in the language of the page (or of the API request).
BROKEN_CHARACTER = _l("This text holds a broken character; type it again.")
CONTROL_CHARACTERS = _l("Remove the control characters from this text.")
ONE_LINE = _l("Keep this on one line (no line breaks or tabs).")


def number_range() -> str:
    """The message for a number out of range, its limits written as the language writes numbers."""
    return _("Enter a number between %(min)s and %(max)s.",
             min=format_decimal(-NUMBER_LIMIT, locale=current_language()),
             max=format_decimal(NUMBER_LIMIT, locale=current_language()))


def text_problem(value: str, multiline: bool = False) -> str | None:
    """What is wrong with the characters of value, in words for the person; None when nothing is."""
    if _SURROGATE.search(value):
        return str(BROKEN_CHARACTER)
    if _CONTROL.search(value):
        return str(CONTROL_CHARACTERS)
    if not multiline and _LINE_BREAK.search(value):
        return str(ONE_LINE)
    return None


def check_text(value: str, multiline: bool = False, limit: int | None = None) -> str:
    """Return value when it may be stored; raise ValueError saying why not."""
    problem = text_problem(value, multiline)
    if problem:
        raise ValueError(problem)
    if limit is not None and len(value) > limit:
        raise ValueError(_("Keep this under %(limit)s characters (it has %(length)s).",
                           limit=format_decimal(limit, locale=current_language()),
                           length=format_decimal(len(value), locale=current_language())))
    return value


def check_number(value: int | float) -> int | float:
    """Return the number when it is finite and within ±NUMBER_LIMIT; raise ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(number_range())
    # Compared before anything converts it: a 5,000-digit int cannot even be turned into text.
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(number_range())
    if not -NUMBER_LIMIT <= value <= NUMBER_LIMIT:
        raise ValueError(number_range())
    return value


def displayable(value: str) -> str:
    """Value with each lone surrogate shown as U+FFFD, so any page or file can encode it."""
    return _SURROGATE.sub(REPLACEMENT, value)


def repaired(value: str) -> str:
    """Stored text made valid: lone surrogates become U+FFFD, control characters go (line breaks stay)."""
    return _CONTROL.sub("", displayable(value))


def repaired_json(value: Any) -> Any:
    """A stored JSON value with every string in it (keys too) repaired, and non-finite numbers dropped."""
    if isinstance(value, str):
        return repaired(value)
    if isinstance(value, list):
        return [repaired_json(item) for item in value]
    if isinstance(value, dict):
        return {repaired(str(key)): repaired_json(item) for key, item in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
