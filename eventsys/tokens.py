"""Signed, expiring tokens for links in emails: the data rides in the link and the app's key vouches for it.

Each purpose signs with a salt of its own, so a token made for one kind of link
is refused by every other, even though the same SECRET_KEY signs them all.
Nothing is stored: the signature and its timestamp are the whole proof.
"""

from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer


class InvalidToken(Exception):
    """The token was not made by us for this purpose, or it was altered on the way."""


class ExpiredToken(InvalidToken):
    """A genuine token that is older than its purpose allows; `payload` is what it carried."""

    def __init__(self, payload: Any):
        super().__init__("This link has expired.")
        self.payload = payload


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    """A serializer keyed by the app's secret, salted by purpose; old keys still verify after a rotation."""
    keys = [*(current_app.config.get("SECRET_KEY_FALLBACKS") or []), current_app.config["SECRET_KEY"]]
    # itsdangerous signs with the last key and accepts any of them.
    return URLSafeTimedSerializer(keys, salt=f"eventsys.{purpose}")


def make_token(purpose: str, payload: Any) -> str:
    """A URL-safe token carrying payload (anything JSON can hold), signed for purpose and timed now."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: timedelta) -> Any:
    """The payload of a token made for purpose no longer than max_age ago.

    Raises ExpiredToken when it is genuine but too old, InvalidToken for anything else.
    """
    serializer = _serializer(purpose)
    try:
        return serializer.loads(token, max_age=max_age.total_seconds())
    except SignatureExpired as expired:
        # The signature checked out before the age did, so the payload is ours and can be acted on.
        try:
            payload = serializer.load_payload(expired.payload)
        except BadData:
            raise InvalidToken("This link is not valid.") from None
        raise ExpiredToken(payload) from None
    except BadData:
        raise InvalidToken("This link is not valid.") from None
