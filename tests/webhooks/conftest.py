"""Webhook tests: real receivers on loopback, which the address guard lets through only here."""

import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def private_addresses_allowed(app):
    """Receivers listen on 127.0.0.1: allowed, as an intranet installation would; a test may turn it off."""
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = True
    return app


@pytest.fixture
def receivers():
    """Make receivers answering as scripted: receivers(500, 500, 200); all stopped after the test."""
    made = []

    def make(*answers: int, body: bytes = b"thanks", delay: float = 0.0) -> Receiver:
        receiver = Receiver(*answers, body=body, delay=delay).start()
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.stop()
