"""Case-insensitive matching for every alphabet, on both databases.

PostgreSQL's lower() follows the database's UTF-8 ctype; SQLite's knows only ASCII,
so each SQLite connection gets Python's str.lower as unicode_lower() (database.py).
"""

import sqlalchemy as sa

from eventsys.database import db


def lowered(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """The column in lower case, for every alphabet, on every database."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.unicode_lower(column)
    return sa.func.lower(column)


def contains_ignoring_case(column: sa.ColumnElement[str], text: str) -> sa.ColumnElement[bool]:
    """column contains text, ignoring case; % and _ typed by a person are taken literally."""
    return lowered(column).contains(text.lower(), autoescape=True)
