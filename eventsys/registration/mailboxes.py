"""Recognising one person behind many spellings of an address, for the one-registration-per-person rule.

An address is stored as the registrant typed it (lower-cased); what the rule
compares is its canonical mailbox:

- NFKC and case folding: `ＡＴＴＥＮＤＥＥ@example.org` (fullwidth) is `attendee@example.org`;
- no plus tag: `attendee+lecture@example.org` reaches the same inbox;
- one form of the domain: `xn--bcher-kva.example` is `bücher.example`;
- look-alike letters read as the ASCII letter they imitate (Unicode's confusables
  data, from confusable-homoglyphs): a Cyrillic `а` in `аttendee@example.org`.

Two real people whose addresses differ only in these ways are rare; one person
taking a second seat with them is not. Only the comparison uses this form: email
still goes to the address as typed.
"""

import hashlib
import unicodedata
from functools import cache

import idna
from confusable_homoglyphs.confusables import confusables_data


@cache
def _ascii_look_alikes() -> dict[str, str]:
    """Each non-ASCII character that imitates an ASCII letter or digit, and the one it imitates."""
    table = {}
    for character, homoglyphs in confusables_data.items():
        if character.isascii():
            continue
        imitated = sorted(h["c"].lower() for h in homoglyphs
                          if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalnum())
        if imitated:
            table[character] = imitated[0]
    return table


def _unmasked(text: str) -> str:
    look_alikes = _ascii_look_alikes()
    return "".join(look_alikes.get(character, character) for character in text)


def _domain(domain: str) -> str:
    """The domain in Unicode, whether typed as such or in its ASCII (xn--) form."""
    if domain.isascii() and "xn--" not in domain:
        return domain  # nearly every domain: nothing to decode
    try:
        return idna.decode(domain)
    except (idna.IDNAError, UnicodeError, ValueError):
        return domain


def canonical_mailbox(address: str) -> str:
    """The form of address that the one-registration-per-person rule compares."""
    local, _, domain = unicodedata.normalize("NFKC", address).casefold().rpartition("@")
    local = local.split("+", 1)[0] or local
    return _unmasked(f"{local}@{_domain(domain)}").casefold()


def mailbox_key(address: str) -> str:
    """What the registration's unique index holds: a digest of the canonical mailbox.

    A digest, because NFKC can make a 254-character address many times longer than
    any index entry may be.
    """
    return hashlib.sha256(canonical_mailbox(address).encode("utf-8", "surrogatepass")).hexdigest()
