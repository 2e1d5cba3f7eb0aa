"""Committed ids reach the broker in batches, each exactly once, without holding up the request."""

import base64
import json
import logging
import threading
import time

import pytest
import redis

from eventsys.config import celery_settings
from eventsys.mail import outbox
from tests import servers
from tests.conftest import make_app

pytestmark = pytest.mark.redis


def _published_batches(redis_url: str) -> list[list[int]]:
    """The id lists of the delivery tasks waiting in the mail queue, read as a worker would."""
    client = redis.Redis.from_url(redis_url)
    batches = []
    for raw in client.lrange("mail", 0, -1):
        message = json.loads(raw)
        assert message["headers"]["task"] == "eventsys.mail.deliver_emails"
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        batches.append(args[0])
    return batches


def test_ids_from_many_requests_are_published_together_and_each_once(sqlite_url, tmp_path):
    servers.require_redis()
    process, redis_url = servers.start_redis()
    try:
        app = make_app(
            sqlite_url, REDIS_URL=redis_url, CELERY=celery_settings(redis_url), MAIL_FILE_DIR=str(tmp_path)
        )

        def request(first: int):
            with app.app_context():
                for email_id in range(first, first + 50):
                    outbox.dispatch([email_id])

        threads = [threading.Thread(target=request, args=(first,)) for first in range(0, 500, 50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outbox.flush_dispatch()
        batches = _published_batches(redis_url)
        published = sorted(email_id for batch in batches for email_id in batch)
        assert published == list(range(500))
        assert len(batches) < 500 / 2, "ids that arrive together leave together"
        assert all(len(batch) <= outbox.BATCH_SIZE for batch in batches)
    finally:
        servers.stop(process)


def test_a_broker_that_is_down_does_not_hold_up_the_request(sqlite_url, tmp_path, caplog):
    servers.require_redis()
    process, redis_url = servers.start_redis()
    servers.stop(process)
    app = make_app(
        sqlite_url, REDIS_URL=redis_url, CELERY=celery_settings(redis_url), MAIL_FILE_DIR=str(tmp_path)
    )
    with app.app_context():
        started = time.monotonic()
        outbox.dispatch([1, 2, 3])
        assert time.monotonic() - started < 0.1, "the request only hands the ids over"
        with caplog.at_level(logging.WARNING, logger="eventsys.mail.dispatcher"):
            outbox.flush_dispatch()
    assert "could not queue delivery of 3 emails; the sweep will" in caplog.text
