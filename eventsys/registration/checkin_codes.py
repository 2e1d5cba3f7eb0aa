"""The code a registrant shows at the door: short enough to read out, and good for nothing else.

The self-service token opens the page that cancels a registration, so it must stay
private; a badge or a screen held up to a webcam is not private. The check-in code
therefore is separate: eight characters from Crockford's base32 alphabet without
0 and 1 (it already has no I, L, O or U), so nothing in it can be misread as
something else, shown as ABCD-EFGH. It is unique within its event; 30^8 codes keep
even a large event far from a collision.
"""

import re
import secrets

#: Crockford's base32 without 0 and 1, which read like O and I/L
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_SHAPE = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def new_code() -> str:
    """A fresh random check-in code, as stored (no hyphen)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalised(text: str) -> str | None:
    """The stored form of a code typed at the desk (any case, spaces or a hyphen); None if it is none."""
    code = re.sub(r"[\s-]", "", text or "").upper()
    return code if _SHAPE.fullmatch(code) else None


def shown(code: str) -> str:
    """The code as people read it: two groups of four, ABCD-EFGH."""
    return f"{code[:4]}-{code[4:]}" if code else ""
