"""Baseline for bench/registration.py: the least a Flask + Flask-SQLAlchemy app does to take a registration.

One table, one insert and one commit per request, no validation, no locking, no templates.
It tells how fast this machine, this Python and this PostgreSQL can take registrations
at all, so that eventsys is judged against it rather than against an absolute number.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/eventsys_bench_baseline \
        .venv/bin/gunicorn -w 2 -k gthread --threads 8 --pythonpath bench "baseline_app:create_app()"

Endpoints:
    POST /api/events/<event_id>/registrations   JSON body  -> 201 {"id": ...}
    POST /events/<event_id>/register            form body  -> 201 small HTML page
    GET  /healthz                                          -> 200 "ok"
"""

import os
from datetime import UTC, datetime
from html import escape

import sqlalchemy as sa
from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


def _now() -> datetime:
    return datetime.now(UTC)


class BenchRegistration(db.Model):
    __tablename__ = "bench_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    country: Mapped[str] = mapped_column(sa.String(2))
    category: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)


def _sqlalchemy_url(raw: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def _insert(event_id: int, fields) -> BenchRegistration:
    row = BenchRegistration(
        event_id=event_id,
        name=str(fields.get("name", ""))[:200],
        email=str(fields.get("email", ""))[:254],
        country=str(fields.get("country", ""))[:2],
        category=str(fields.get("category", ""))[:32],
    )
    db.session.add(row)
    db.session.commit()
    return row


def create_app(database_url: str | None = None) -> Flask:
    """The baseline app, on DATABASE_URL unless a URL is given."""
    app = Flask(__name__)
    url = database_url or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("set DATABASE_URL to the baseline database")
    app.config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(url)
    db.init_app(app)

    @app.post("/api/events/<int:event_id>/registrations")
    def register_json(event_id: int):
        row = _insert(event_id, request.get_json(force=True) or {})
        return {"id": row.id, "status": "recorded"}, 201

    @app.post("/events/<int:event_id>/register")
    def register_form(event_id: int):
        row = _insert(event_id, request.form)
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Registered</title></head>"
            f"<body><p>Thank you, {escape(row.name)}: registration {row.id} is recorded.</p></body></html>"
        )
        return page, 201, {"Content-Type": "text/html; charset=utf-8"}

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app


def create_tables(database_url: str) -> None:
    """Create the baseline table; run once before the server starts."""
    app = create_app(database_url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
