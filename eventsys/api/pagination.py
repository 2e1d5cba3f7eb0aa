"""Keyset pages for the organiser API's lists: `?limit=` and an opaque `after` cursor, never OFFSET.

A page is everything strictly past the cursor in the list's order, `limit` rows of it
(50 unless asked, at most 200). The cursor is the sort key of the last row given, so
the walk is stable whatever happens meanwhile: a row inserted behind the cursor is not
seen, one inserted ahead of it is, and none is ever given twice or skipped because
others came or went (an OFFSET would shift under them). Every order ends on a unique
column (an id), so no two rows share a key.

The answer is `{"items": [...], "next": <absolute URL of the next page, or null>}`,
with the same URL in a `Link: <…>; rel="next"` header. One more row than the page is
read to know whether a next page exists, so the last page says `null`, not an empty
page after it.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from flask_smorest import abort
from marshmallow import fields, validate

from eventsys.database import db
from eventsys.textrules import text_problem

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
#: longer cursors are not ours: the longest key is a name of 200 characters and an id
CURSOR_MAX = 1200
#: ids and counts are INTEGER columns: beyond this PostgreSQL refuses to compare
_INT_LIMIT = 2**31


def limit_field() -> fields.Integer:
    """The `limit` query parameter, as every list takes it."""
    return fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT), metadata={
        "description": f"Rows per page, {DEFAULT_LIMIT} unless given, at most {MAX_LIMIT}"})


def after_field() -> fields.String:
    """The `after` query parameter: the cursor from a `next` link."""
    return fields.String(load_default=None, validate=validate.Length(max=CURSOR_MAX), metadata={
        "description": "Where the page starts: copied from the `next` link of the page before; opaque",
        "pattern": "^[A-Za-z0-9_-]*$"})


def page_schema(item_schema: type, name: str) -> type:
    """The schema of one page of item_schema, named name: {"items": [...], "next": URL or null}."""
    return type(name, (ma.Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next": fields.String(required=True, allow_none=True, metadata={
            "format": "uri", "description": "The next page, or null on the last one"}),
        "Meta": type("Meta", (), {"unknown": ma.RAISE}),
    })


#: what a list answer carries besides its body
LINK_HEADER = {"Link": {"description": 'The next page as `<URL>; rel="next"`, absent on the last page',
                        "schema": {"type": "string"}}}


class BadCursor(ValueError):
    """A cursor this module did not make for this list."""


def encode_cursor(key: Sequence[Any]) -> str:
    """A sort key as URL-safe text: JSON of its values (datetimes as ISO 8601), base64."""
    values = [value.isoformat() if isinstance(value, datetime) else value for value in key]
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def _value(value: Any, kind: type) -> Any:
    """One value of a decoded key, checked to be of kind and storable; BadCursor otherwise."""
    if kind is datetime:
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise BadCursor(value)
        return moment
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or not -_INT_LIMIT <= value < _INT_LIMIT:
            raise BadCursor(value)
        return value
    if kind is str:
        # PostgreSQL refuses NUL and no driver encodes a lone surrogate: no stored value holds either.
        if not isinstance(value, str) or text_problem(value, multiline=True):
            raise BadCursor(value)
        return value
    raise TypeError(kind)


def decode_cursor(cursor: str, shape: Sequence[type]) -> tuple:
    """The key in cursor, each value of the type shape names; BadCursor when it is not such a key."""
    if len(cursor) > CURSOR_MAX:
        raise BadCursor(cursor)
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        raise BadCursor(cursor) from None
    if not isinstance(values, list) or len(values) != len(shape):
        raise BadCursor(cursor)
    return tuple(_value(value, kind) for value, kind in zip(values, shape, strict=True))


def cursor_or_422(cursor: str | None, decode: Callable[[str], tuple]) -> tuple | None:
    """The key of the `after` parameter, None without one; a 422 naming `after` when it is not ours."""
    if not cursor:
        return None
    try:
        return decode(cursor)
    except (BadCursor, ValueError):
        abort(422, errors={"after": [_("This cursor was not made for this list: start again from the first "
                                       "page, or copy the `next` link as it is.")]})


def after_key(cursor: str | None, shape: Sequence[type]) -> tuple | None:
    """The key of the `after` parameter for a list whose keys have this shape; 422 when it is not one."""
    return cursor_or_422(cursor, lambda text: decode_cursor(text, shape))


@dataclass(frozen=True)
class Keyset:
    """A list's order: the columns of its key, the last of them unique, all one way."""

    columns: tuple
    #: the Python types of the key's values, in order: what a cursor must hold
    shape: tuple[type, ...]
    descending: bool = False

    def beyond(self, key: tuple):
        """Rows strictly past key in this order: one row-value comparison the index can seek."""
        if len(self.columns) == 1:
            left, right = self.columns[0], key[0]
        else:
            left = sa.tuple_(*self.columns)
            right = sa.tuple_(*(sa.literal(v, c.type) for v, c in zip(key, self.columns, strict=True)))
        return left < right if self.descending else left > right

    def ordering(self) -> list:
        """ORDER BY for this order."""
        return [column.desc() if self.descending else column.asc() for column in self.columns]


@dataclass
class Page:
    """The rows of one page, and the cursor of the next one (None on the last)."""

    items: list
    next_cursor: str | None


def page_of_query(statement: sa.Select, keyset: Keyset, after: tuple | None, limit: int,
                  scalars: bool = True) -> Page:
    """One page of the statement in the keyset's order, in one query (limit + 1 rows are read).

    The statement's own ORDER BY is replaced by the keyset's. scalars: the statement
    selects one entity; otherwise the rows are returned (with the key's columns added).
    """
    keys = [column.label(f"page_key_{index}") for index, column in enumerate(keyset.columns)]
    statement = statement.add_columns(*keys).order_by(None).order_by(*keyset.ordering()).limit(limit + 1)
    if after is not None:
        statement = statement.where(keyset.beyond(after))
    rows = list(db.session.execute(statement))
    more = len(rows) > limit
    rows = rows[:limit]
    width = len(keys)
    # Rows keep their page_key_ columns: a schema dumping them by name leaves those alone.
    items = [row[0] if scalars else row for row in rows]
    next_cursor = encode_cursor(tuple(rows[-1][-width:])) if more and rows else None
    return Page(items=items, next_cursor=next_cursor)


def page_of_list(rows: Sequence, key: Callable[[Any], tuple], after: tuple | None, limit: int) -> Page:
    """One page of rows a service already gave in key order (a programme, a form's questions: a few dozen)."""
    remaining = [row for row in rows if after is None or key(row) > after]
    page = remaining[:limit]
    more = len(remaining) > limit
    return Page(items=page, next_cursor=encode_cursor(key(page[-1])) if more and page else None)


def next_url(cursor: str | None) -> str | None:
    """The absolute address of the page after this one: this request's, with `after` set to the cursor."""
    if cursor is None:
        return None
    args = [(name, value) for name, value in request.args.items(multi=True) if name != "after"]
    return f"{request.base_url}?{urlencode([*args, ('after', cursor)])}"


def answer(page: Page, dump: Callable[[Any], Any] = lambda item: item):
    """The body and headers of a list answer: items, the next page's URL, and its Link header."""
    url = next_url(page.next_cursor)
    headers = {"Link": f'<{url}>; rel="next"'} if url else {}
    return {"items": [dump(item) for item in page.items], "next": url}, 200, headers
