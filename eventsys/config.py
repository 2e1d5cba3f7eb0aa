"""Settings read from the environment, with defaults that make the embedded mode work out of the box."""

import os
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment asks for something eventsys cannot start with."""


def database_url(raw: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL: SQLite under instance/ by default; plain postgres URLs use psycopg 3."""
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'eventsys.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Every setting eventsys reads, by the environment variable named like it."""
    redis_url = os.environ.get("REDIS_URL") or None
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT") or 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER") or "eventsys@localhost",
        #: where .eml files go when no MAIL_SERVER is configured
        "MAIL_FILE_DIR": os.environ.get("MAIL_FILE_DIR") or str(Path(instance_path) / "mail"),
        "CELERY": {
            "broker_url": redis_url or "memory://",
            "result_backend": None,
            # Without Redis the embedded default runs tasks in the web process, right away.
            "task_always_eager": redis_url is None,
            "task_ignore_result": True,
        },
        #: no registration needs more; a larger body is refused with 413 before anything reads it
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        "SESSION_COOKIE_SAMESITE": "Lax",
        #: set true when served over HTTPS, so the session cookie never travels in clear text
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE"),
        "API_TITLE": "eventsys",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "SUPPORTED_LOCALES": ["en", "zh", "ru", "uk"],
    }


def require_secret_key(app) -> None:
    """Refuse to serve real users with a guessable key; debug and test runs get a throwaway one."""
    if app.config.get("SECRET_KEY"):
        return
    if app.debug or app.testing:
        app.config["SECRET_KEY"] = os.urandom(32).hex()
        return
    raise ConfigError(
        "SECRET_KEY is not set. Set it in the environment (for example "
        "`export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')`)."
    )
