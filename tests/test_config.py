"""Configuration from the environment, and the refusal to run in production without a secret key."""

import pytest

from eventsys import create_app
from eventsys.config import ConfigError, database_url


def test_production_without_a_secret_key_does_not_start(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app()


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.internal/eventsys")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/1")
    monkeypatch.setenv("MAIL_SERVER", "smtp.internal")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db.internal/eventsys"
    assert (app.config["MAIL_SERVER"], app.config["MAIL_PORT"], app.config["MAIL_USE_TLS"]) == (
        "smtp.internal", 587, True)
    celery = app.extensions["celery"]
    assert celery.conf.broker_url == "redis://cache.internal:6379/1"
    assert celery.conf.task_always_eager is False


def test_the_embedded_default_is_sqlite_in_the_instance_folder_with_tasks_in_process(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    for name in ("DATABASE_URL", "REDIS_URL", "MAIL_SERVER"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/eventsys.db"
    assert app.extensions["celery"].conf.task_always_eager is True
    assert app.config["MAIL_FILE_DIR"] == f"{app.instance_path}/mail"


@pytest.mark.parametrize(("raw", "expected"), [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////srv/e.db", "sqlite:////srv/e.db"),
])
def test_database_urls_are_read_as_people_write_them(raw, expected):
    assert database_url(raw, "/instance") == expected


def test_a_postgresql_pool_holds_a_connection_per_gunicorn_thread(monkeypatch):
    """gunicorn --threads 8 (the README's deployment): a pool of 5 would open and close connections."""
    from eventsys.database import db

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.internal/eventsys")
    with create_app().app_context():
        assert db.engine.pool.size() >= 8
    monkeypatch.setenv("DATABASE_POOL_SIZE", "16")
    with create_app().app_context():
        assert db.engine.pool.size() == 16
