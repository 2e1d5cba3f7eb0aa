"""Counting the SQL statements a piece of code issues, for the n+1 guards of list pages."""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from eventsys.database import db


class Statements(list):
    """The SQL text of every statement run inside `counting_statements()`."""


@contextmanager
def counting_statements() -> Iterator[Statements]:
    """Record each statement sent to the app's database engine while the block runs."""
    seen = Statements()

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
