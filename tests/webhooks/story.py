"""Steps the webhook tests share: an organiser adding an endpoint through the page, reading its log."""

import re
from html.parser import HTMLParser

import sqlalchemy as sa

from eventsys.database import db
from eventsys.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import csrf_token

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")


def add_endpoint(client, page: str, url: str, types: list[str], **fields) -> tuple[object, str | None]:
    """Fill the page's form as a browser would; the answer, and the secret it shows (None if refused)."""
    data = {"csrf_token": csrf_token(client, page), "url": url, "event_types": types, **fields}
    answer = client.post(page, data=data)
    found = SECRET.search(answer.get_data(as_text=True))
    return answer, found.group(0) if found else None


def only_endpoint() -> WebhookEndpoint:
    return db.session.scalars(sa.select(WebhookEndpoint)).one()


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))


class _LogReader(HTMLParser):
    """The rows of the delivery log table: each row's data-* attributes and its cells' text."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self._in_log = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id") == "attempts":
            self._in_log = True
        elif self._in_log and tag == "tr" and "data-attempt-id" in attributes:
            self.rows.append({**{k.removeprefix("data-"): v for k, v in attributes.items()}, "cells": []})
        elif self._in_log and tag == "td" and self.rows:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_log = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def log_rows(html: str) -> list[dict]:
    """The delivery log as the page shows it, newest attempt first."""
    reader = _LogReader()
    reader.feed(html)
    return reader.rows
