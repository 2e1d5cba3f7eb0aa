"""Signed, expiring tokens: what one purpose signs, only that purpose reads, and only while it is fresh."""

import time
from datetime import timedelta

import pytest
from itsdangerous.timed import TimestampSigner

from eventsys import tokens

HOUR = timedelta(hours=1)


def _made_ago(monkeypatch, age: timedelta, purpose: str, payload) -> str:
    """A token signed as if age had passed since."""
    signed_at = int(time.time() - age.total_seconds())
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
        return tokens.make_token(purpose, payload)


def test_a_token_gives_back_what_it_carries(app):
    token = tokens.make_token("invitation", {"engagement": 7})
    assert tokens.read_token("invitation", token, HOUR) == {"engagement": 7}


def test_a_token_made_for_another_purpose_is_refused(app):
    token = tokens.make_token("unsubscribe", {"engagement": 7})
    with pytest.raises(tokens.InvalidToken) as refused:
        tokens.read_token("invitation", token, HOUR)
    assert not isinstance(refused.value, tokens.ExpiredToken)


def test_an_altered_token_is_refused(app):
    token = tokens.make_token("invitation", {"engagement": 7})
    forged = tokens.make_token("invitation", {"engagement": 8})
    # The payload of one with the signature of the other: each half is genuine, the whole is not.
    spliced = forged.split(".")[0] + "." + ".".join(token.split(".")[1:])
    for bad in (spliced, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "nonsense", ""):
        with pytest.raises(tokens.InvalidToken):
            tokens.read_token("invitation", bad, HOUR)


def test_a_token_signed_with_another_key_is_refused(app):
    token = tokens.make_token("invitation", {"engagement": 7})
    app.config["SECRET_KEY"] = "a-different-key"
    with pytest.raises(tokens.InvalidToken):
        tokens.read_token("invitation", token, HOUR)


def test_after_a_key_rotation_old_tokens_still_read_through_the_fallbacks(app):
    token = tokens.make_token("invitation", {"engagement": 7})
    app.config.update(SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]], SECRET_KEY="the-new-key")
    assert tokens.read_token("invitation", token, HOUR) == {"engagement": 7}


def test_an_old_token_is_expired_and_still_says_what_it_was_for(app, monkeypatch):
    token = _made_ago(monkeypatch, 2 * HOUR, "invitation", {"engagement": 7})
    with pytest.raises(tokens.ExpiredToken) as expired:
        tokens.read_token("invitation", token, HOUR)
    assert expired.value.payload == {"engagement": 7}
    assert tokens.read_token("invitation", token, 3 * HOUR) == {"engagement": 7}


def test_an_old_token_for_another_purpose_is_invalid_not_expired(app, monkeypatch):
    token = _made_ago(monkeypatch, 2 * HOUR, "unsubscribe", {"engagement": 7})
    with pytest.raises(tokens.InvalidToken) as refused:
        tokens.read_token("invitation", token, HOUR)
    assert not isinstance(refused.value, tokens.ExpiredToken)
