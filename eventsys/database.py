"""The SQLAlchemy base every model shares: stable constraint names, UTC timestamps, portable enums."""

import enum
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

#: Alembic needs named constraints to alter or drop them later, on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware datetime stored in UTC; SQLite, which has no zones, gets naive UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        """Refuse naive datetimes: a time without a zone is a bug waiting for a traveller."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        """Give back an aware UTC datetime on every database."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _enum_values(enum_class: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_class]


class Base(DeclarativeBase):
    """Declarative base: naming convention plus the column types our annotations mean."""

    registry = sa.orm.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            datetime: UTCDateTime,
            # VARCHAR rather than native enums: adding a value later needs no migration on PostgreSQL.
            enum.Enum: sa.Enum(enum.Enum, native_enum=False, length=32, values_callable=_enum_values),
        },
    )


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """The current time, aware and in UTC."""
    return datetime.now(UTC)


def _unicode_lower(text):
    return text.lower() if isinstance(text, str) else text


def _local_date(stored, zone_name):
    """The calendar day, in the named zone, of a UTC time as SQLite stores it ('2026-05-12 01:30:00')."""
    if stored is None or zone_name is None:
        return None
    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone_name)).date().isoformat()


@sa.event.listens_for(sa.Engine, "connect")
def _tune_sqlite(dbapi_connection, _record) -> None:
    """WAL lets readers run beside the one writer; the busy timeout makes writers queue, not fail."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()
        # SQLite's lower() folds only ASCII; searches must ignore case in Cyrillic and Greek too.
        dbapi_connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)
        # SQLite knows no zones; the charts group registrations by the day where the event is.
        dbapi_connection.create_function("local_date", 2, _local_date, deterministic=True)


#: indexes that only migrations know, because the models cannot say them on every database
#: (a PostgreSQL trigram index); schema comparisons leave them alone
DATABASE_ONLY_INDEXES = frozenset({"ix_registration_search_trgm"})


def include_in_comparison(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object hook: skip the DATABASE_ONLY_INDEXES."""
    return not (type_ == "index" and name in DATABASE_ONLY_INDEXES)


@contextmanager
def committed() -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back if the block raised (then re-raise).

    The one shape of a change that must land whole: a seat, its counters, its emails
    and its webhook messages together, or none of them.
    """
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
