"""Secrets and signatures, as the Standard Webhooks specification has them.

Each endpoint has a `whsec_` secret (32 random bytes, base64), shown to its owner
once. It must be read back to sign, so it is stored encrypted (Fernet: AES with an
HMAC) under a key derived from SECRET_KEY, or from WEBHOOK_SECRET_KEYS when set
(comma-separated Fernet keys, newest first; the derived key still decrypts after
them), so a database dump alone signs nothing. A message is signed over
"<webhook-id>.<webhook-timestamp>.<body>" with HMAC-SHA256 by the `standardwebhooks`
package itself; during a rotation with the old secret too, both signatures sent.

The webhook-id, "msg_" and 22 characters, is made from the message's row id with a
keyed hash: the same on every retry, and it tells a receiver nothing about how many
messages other people's events produce.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
#: random bytes in a new secret (the specification asks for 24 to 64)
SECRET_BYTES = 32


class UnreadableSecret(RuntimeError):
    """Encrypted under a key no longer configured (SECRET_KEY changed): rotate the endpoint's secret."""


def _derived(purpose: bytes) -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), purpose, hashlib.sha256).digest()


def _cipher() -> MultiFernet:
    configured = current_app.config.get("WEBHOOK_SECRET_KEYS") or ""
    keys = [key.strip() for key in configured.split(",") if key.strip()]
    fernets = [Fernet(key.encode()) for key in keys]
    fernets.append(Fernet(base64.urlsafe_b64encode(_derived(b"eventsys webhook secrets"))))
    return MultiFernet(fernets)


def new_secret() -> str:
    """A fresh signing secret, as its owner copies it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def seal(secret: str) -> bytes:
    """The secret as stored."""
    return _cipher().encrypt(secret.encode())


def unseal(token: bytes) -> str:
    """The secret a stored token holds; UnreadableSecret when no key opens it."""
    try:
        return _cipher().decrypt(token).decode()
    except InvalidToken:
        raise UnreadableSecret("no configured key opens this webhook secret: rotate it") from None


def webhook_id(message_id: int) -> str:
    """The message's webhook-id: stable for the row, unguessable from it."""
    digest = hmac.new(_derived(b"eventsys webhook ids"), str(message_id).encode(), hashlib.sha256).digest()
    return "msg_" + base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def headers(message_id: str, body: str, sent_at: datetime, secrets_to_sign_with: list[str]) -> dict[str, str]:
    """The webhook-* headers for body: one `v1,` signature per secret, space-separated."""
    signatures = [Webhook(secret).sign(message_id, sent_at, body) for secret in secrets_to_sign_with]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
