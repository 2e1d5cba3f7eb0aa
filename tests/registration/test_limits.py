"""The public registration limits: per address, per event, per mailbox, and who the address is."""

import re

import pytest
import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.mail.models import OutboundEmail
from eventsys.registration import limits
from eventsys.registration.models import Registration
from tests import servers
from tests.conftest import _empty_tables, make_app
from tests.factories import make_event, registration_body
from tests.formpage import read_form

RETRY_MESSAGE = re.compile(r"Too many registrations from your address; try again in (\d+) seconds\.")


@pytest.fixture
def limited_app(sqlite_url, mail_dir):
    """build(**settings): an app on SQLite with the registration limits the test sets."""
    contexts = []

    def build(**settings):
        settings.setdefault("RATELIMIT_STORAGE_URI", "memory://")
        app = make_app(sqlite_url, MAIL_FILE_DIR=str(mail_dir), **settings)
        context = app.app_context()
        context.push()
        contexts.append(context)
        return app

    yield build
    db.session.remove()
    _empty_tables()
    db.engine.dispose()
    for context in reversed(contexts):
        context.pop()


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _csrf_token(client, event) -> str:
    return read_form(client.get(f"/events/{event.slug}/register").get_data(as_text=True)).fields["csrf_token"]


def _post(client, event, number, **environ):
    return client.post(f"/api/v1/events/{event.slug}/registrations", json=registration_body(number),
                       environ_base=environ)


def test_one_address_past_its_limit_gets_429_with_retry_after_and_nothing_is_stored(limited_app):
    client = limited_app(REGISTRATION_RATE_LIMIT="3 per minute").test_client()
    event = make_event(capacity=100)
    assert [_post(client, event, n).status_code for n in range(3)] == [201, 201, 201]

    refused = _post(client, event, 99)

    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    [message] = refused.get_json()["errors"]["request"]
    assert RETRY_MESSAGE.fullmatch(message)
    assert _count(Registration) == 3
    assert _count(OutboundEmail) == 3


def test_the_form_and_the_api_share_the_limit_and_the_form_shows_a_page(limited_app):
    client = limited_app(REGISTRATION_RATE_LIMIT="2 per minute").test_client()
    event = make_event(capacity=100)
    for n in range(2):
        assert _post(client, event, n).status_code == 201
    token = _csrf_token(client, event)

    page = client.post(f"/events/{event.slug}/register", data={
        "name": "Li Wei", "email": "li.wei@example.org", "country": "JP", "category": "student",
        "consent": "y", "csrf_token": token,
    })

    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) > 0
    html = page.get_data(as_text=True)
    assert RETRY_MESSAGE.search(html)
    assert 'value="li.wei@example.org"' in html  # the form again, as filled
    assert _count(Registration) == 2


def test_one_event_takes_only_so_many_registrations_a_minute_from_everyone(limited_app):
    client = limited_app(REGISTRATION_EVENT_RATE_LIMIT="2 per minute").test_client()
    event, other = make_event(capacity=100), make_event(capacity=100)
    answers = [_post(client, event, n, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(1, 4)]

    assert answers == [201, 201, 429]
    assert _post(client, other, 9, REMOTE_ADDR="198.51.100.9").status_code == 201


def test_behind_one_trusted_proxy_each_forwarded_client_has_its_own_limit(limited_app):
    client = limited_app(REGISTRATION_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1).test_client()
    event = make_event(capacity=100)

    def from_client(address, number):
        return client.post(f"/api/v1/events/{event.slug}/registrations", json=registration_body(number),
                           headers={"X-Forwarded-For": address}, environ_base={"REMOTE_ADDR": "10.0.0.1"})

    assert [from_client("203.0.113.1", n).status_code for n in range(3)] == [201, 201, 429]
    assert from_client("203.0.113.2", 10).status_code == 201


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_dodge_the_limit(limited_app):
    client = limited_app(REGISTRATION_RATE_LIMIT="2 per minute").test_client()
    event = make_event(capacity=100)
    answers = [
        client.post(f"/api/v1/events/{event.slug}/registrations", json=registration_body(n),
                    headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(3)
    ]
    assert answers == [201, 201, 429]


def test_one_mailbox_gets_few_registrations_an_hour_whatever_its_plus_tags(limited_app):
    client = limited_app(REGISTRATION_MAILBOX_LIMIT=2).test_client()
    events = [make_event(capacity=100) for _ in range(3)]
    answers = [
        client.post(f"/api/v1/events/{event.slug}/registrations",
                    json=registration_body(n, email=f"victim+{n}@example.org"))
        for n, event in enumerate(events)
    ]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert int(answers[2].headers["Retry-After"]) > 0
    assert "too many registrations" in answers[2].get_json()["errors"]["email"][0]
    assert _count(Registration) == 2
    assert _count(OutboundEmail) == 2


def test_the_form_refuses_a_flooded_mailbox_too(limited_app):
    client = limited_app(REGISTRATION_MAILBOX_LIMIT=1).test_client()
    first, second = make_event(capacity=100), make_event(capacity=100)
    assert _post(client, first, 1).status_code == 201
    token = _csrf_token(client, second)

    page = client.post(f"/events/{second.slug}/register", data={
        "name": "Li Wei", "email": "Attendee1+again@example.org", "country": "JP", "category": "student",
        "consent": "y", "csrf_token": token,
    })

    assert page.status_code == 429
    assert "too many registrations" in page.get_data(as_text=True)
    assert _count(Registration) == 1


def test_with_the_limit_store_down_registration_still_works(limited_app):
    nobody_listens = f"redis://127.0.0.1:{servers.free_port()}/0"
    app = limited_app(REGISTRATION_RATE_LIMIT="2 per minute", RATELIMIT_STORAGE_URI=nobody_listens)
    client = app.test_client()
    event = make_event(capacity=100)

    # Counted in memory meanwhile: the limit still holds, and nothing is a 500.
    assert [_post(client, event, n).status_code for n in range(3)] == [201, 201, 429]


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_the_mailbox_count_reads_its_own_index(app):
    query = limits.recent_to_mailbox().params(key="k", since=utcnow() - limits.MAILBOX_WINDOW, allowed=3)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as connection:
        # A fresh table is too small to be worth an index; forbid the scan to see whether the index fits.
        connection.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    assert "ix_registration_email_key_created_at" in plan
    assert "ix_registration_attempt_email_key_created_at" in plan
