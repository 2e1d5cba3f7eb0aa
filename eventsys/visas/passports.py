"""Passport details, encrypted at rest with keys of their own.

The keys (`PASSPORT_KEYS`, comma-separated Fernet keys, newest first) are not
SECRET_KEY: a leaked session key must not open passports, and a database dump is
unreadable without them. Fernet is AES-128-CBC with an HMAC-SHA256, so a changed
byte is refused, not decrypted into something else. Rotation: put a new key
first, keep the old ones after it (they still decrypt), run `flask visas
rotate-key` to re-encrypt every row with the new key, then drop the old ones.

Nothing here logs, and the details' repr hides the passport number, so that an
exception report or a debugger print does not leak it.
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import date

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class PassportKeysMissing(RuntimeError):
    """PASSPORT_KEYS is not set: no passport details can be stored or read."""


class UnreadablePassportData(RuntimeError):
    """Encrypted with a key that is no longer in PASSPORT_KEYS, or altered."""


@dataclass(frozen=True)
class PassportDetails:
    """What an invitation letter prints to identify its holder to an embassy."""

    full_name: str
    passport_number: str = field(repr=False)
    #: ISO 3166 alpha-2
    nationality: str
    date_of_birth: date = field(repr=False)


def configured_keys() -> list[str]:
    """The keys in PASSPORT_KEYS, newest first."""
    value = current_app.config.get("PASSPORT_KEYS") or ""
    keys = value if isinstance(value, list | tuple) else value.split(",")
    return [key.strip() for key in keys if key.strip()]


def available() -> bool:
    """Whether passport details can be stored here (a key is configured)."""
    return bool(configured_keys())


def _cipher() -> MultiFernet:
    keys = configured_keys()
    if not keys:
        raise PassportKeysMissing("PASSPORT_KEYS is not set")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def new_key() -> str:
    """A fresh key for PASSPORT_KEYS."""
    return Fernet.generate_key().decode()


def encrypt_bytes(data: bytes) -> bytes:
    """data encrypted with the newest key."""
    return _cipher().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """What encrypt_bytes was given; UnreadablePassportData when no key opens it."""
    try:
        return _cipher().decrypt(token)
    except InvalidToken:
        raise UnreadablePassportData("no key in PASSPORT_KEYS opens this") from None


def seal(details: PassportDetails) -> bytes:
    """The details as stored."""
    payload = asdict(details) | {"date_of_birth": details.date_of_birth.isoformat()}
    return encrypt_bytes(json.dumps(payload, ensure_ascii=False).encode())


def unseal(token: bytes) -> PassportDetails:
    """The details a stored token holds."""
    payload = json.loads(decrypt_bytes(token))
    return PassportDetails(full_name=payload["full_name"], passport_number=payload["passport_number"],
                           nationality=payload["nationality"],
                           date_of_birth=date.fromisoformat(payload["date_of_birth"]))


def rotate(token: bytes) -> bytes:
    """The same data encrypted with the newest key."""
    try:
        return _cipher().rotate(token)
    except InvalidToken:
        raise UnreadablePassportData("no key in PASSPORT_KEYS opens this") from None


def masked(name: str) -> str:
    """The name with all but the first letter of each part hidden: «Иванов Пётр» → «И***** П***»."""
    return " ".join(part[0] + "*" * (len(part) - 1) if len(part) > 1 else part for part in name.split())
