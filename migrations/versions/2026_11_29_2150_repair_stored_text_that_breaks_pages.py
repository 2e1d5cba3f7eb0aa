"""repair stored text that breaks pages

Rows stored before eventsys.textrules could hold what no page or export can show: a
lone UTF-16 surrogate (SQLite keeps one in a JSON answer as the escape "\\ud800"),
control characters (SQLite keeps any; PostgreSQL keeps all but NUL in text and any
as a JSON escape), bytes that are not UTF-8 (written to SQLite by another client).

Every text and JSON column of every table is read and, where needed, rewritten:
a lone surrogate or undecodable byte becomes U+FFFD, control characters other than
tab and line breaks are removed, non-finite numbers in JSON become null. Primary-key
columns are left alone (a changed key could collide with another row). The rules are
copied here, not imported, so this migration keeps doing what it did when written.

Revision ID: 5d0e8f3a2c71
Revises: 7c41d2e9a0b3
Create Date: 2026-11-30 10:00:00

"""
import json
import math
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d0e8f3a2c71'
down_revision = '7c41d2e9a0b3'
branch_labels = None
depends_on = None

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _text(value: str) -> str:
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", value))


def _json(value):
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, dict):
        return {_text(str(key)): _json(item) for key, item in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _decoded(raw) -> str | None:
    """The stored value as text: SQLite gives bytes (read as a BLOB, so bad UTF-8 cannot stop us)."""
    if raw is None or isinstance(raw, str):
        return raw
    return bytes(raw).decode("utf-8", "replace")


def _loaded(text: str):
    # Digits beyond what int() takes are kept as text rather than failing the whole migration.
    return json.loads(text, parse_int=lambda digits: int(digits) if len(digits) < 4000 else digits)


def _as_text(bind, column: str):
    quoted = sa.column(column)
    return sa.cast(quoted, sa.LargeBinary if bind.dialect.name == "sqlite" else sa.Text)


def _repair_table(bind, name: str, keys: list[str], texts: list[str], jsons: list[str]) -> None:
    table = sa.table(name, *(sa.column(k) for k in keys), *(sa.column(c, sa.Text) for c in texts),
                     *(sa.column(c, sa.JSON) for c in jsons))
    columns = texts + jsons
    selected = sa.select(*(table.c[k] for k in keys),
                         *(_as_text(bind, c).label(c) for c in columns)).select_from(table)
    changes = []
    for row in bind.execute(selected).mappings():
        values = {}
        for column in columns:
            raw = row[column]
            text = _decoded(raw)
            if text is None:
                continue
            if column in texts:
                fixed = _text(text)
                if fixed != text or not isinstance(raw, str) and bytes(raw) != fixed.encode():
                    values[column] = fixed
                continue
            try:
                document = _loaded(text)
            except ValueError:
                continue  # not JSON at all: nothing eventsys wrote; left for a person to look at
            fixed = _json(document)
            if json.dumps(fixed, sort_keys=True) != json.dumps(document, sort_keys=True):
                values[column] = fixed
        if values:
            changes.append(({k: row[k] for k in keys}, values))
    for key, values in changes:
        bind.execute(sa.update(table).where(*(table.c[k] == v for k, v in key.items())).values(**values))


def upgrade():
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        keys = inspector.get_pk_constraint(name)["constrained_columns"]
        columns = [c for c in inspector.get_columns(name) if c["name"] not in keys]
        texts = [c["name"] for c in columns
                 if isinstance(c["type"], sa.String) and not isinstance(c["type"], sa.Enum)]
        jsons = [c["name"] for c in columns if isinstance(c["type"], sa.JSON)]
        if keys and (texts or jsons):
            _repair_table(bind, name, keys, texts, jsons)


def downgrade():
    # A repair has nothing to undo: the broken characters cannot be told apart from real U+FFFD.
    pass
