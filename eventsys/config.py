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


def engine_options(url: str) -> dict:
    """Connection pool settings for the database at url.

    On PostgreSQL the pool holds as many connections as a web process has threads
    (gunicorn's `--threads 8` in the README, DATABASE_POOL_SIZE otherwise): a smaller
    pool made the busiest threads open and close a connection on every request.
    Connecting gives up after 5 s, so /healthz and requests fail fast, not hang. A
    connection is checked to be alive before use when it sat idle (pool_liveness.py),
    not on every checkout.
    """
    options: dict = {}
    if url.startswith("postgresql"):
        size = int(os.environ.get("DATABASE_POOL_SIZE") or 10)
        options.update(pool_size=size, max_overflow=size, connect_args={"connect_timeout": 5})
    return options


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def celery_settings(redis_url: str | None) -> dict:
    """Celery on Redis, or in-process without it: tasks then run in the web process right away."""
    return {
        "broker_url": redis_url or "memory://",
        "task_always_eager": redis_url is None,
        "task_ignore_result": True,
        # Task modules a worker loads at start; a task it has not loaded is dropped as unregistered.
        "imports": TASK_MODULES,
        "task_default_queue": "default",
        # Email has its own queue, so a burst of reminders never delays other work, and vice versa.
        "task_routes": {"eventsys.mail.*": {"queue": "mail"}},
        # Redis re-delivers an unacknowledged task after this; it must outlast the longest batch.
        "broker_transport_options": {"visibility_timeout": 3600, "socket_connect_timeout": 2},
        "worker_prefetch_multiplier": 1,
        # Publishing must not hang a web request when Redis is down: the outbox row waits instead.
        "task_publish_retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
        "broker_connection_timeout": 2,
        "beat_schedule": BEAT_SCHEDULE,
    }


TASK_MODULES = ("eventsys.mail.tasks", "eventsys.registration.tasks", "eventsys.reminders.tasks",
                "eventsys.speakers.tasks", "eventsys.visas.tasks",
                "eventsys.retention.tasks", "eventsys.invitations.tasks", "eventsys.api.tasks",
                "eventsys.webhooks.tasks")

#: the queues a worker must consume (`celery -A worker worker -Q default,mail`): every route leads to one
WORKER_QUEUES = ("default", "mail")

#: every periodic task, in one place; beat runs as a process of its own, exactly one
BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "eventsys.mail.sweep_outbox", "schedule": 30.0},
    "queue-due-reminders": {"task": "eventsys.reminders.queue_due_reminders", "schedule": 60.0},
    "expire-invitations": {"task": "eventsys.speakers.expire_invitations", "schedule": 3600.0},
    "prune-registration-attempts": {"task": "eventsys.registration.prune_attempts", "schedule": 600.0},
    "erase-passport-data": {"task": "eventsys.visas.erase_due_passport_data", "schedule": 3600.0},
    "anonymise-due-events": {"task": "eventsys.retention.anonymise_due_events", "schedule": 3600.0},
    "expire-registration-invitations": {"task": "eventsys.invitations.expire_due", "schedule": 300.0},
    "remind-registration-invitations": {"task": "eventsys.invitations.remind_due", "schedule": 3600.0},
    "prune-idempotency-keys": {"task": "eventsys.api.prune_idempotency_keys", "schedule": 3600.0},
    "sweep-webhooks": {"task": "eventsys.webhooks.sweep", "schedule": 30.0},
}


#: the OpenAPI document's introduction
API_DESCRIPTION = (
    "Upcoming events and registration, for anyone (/api/v1/events). The organiser API "
    "(/api/v1/manage/) does what the organisers' workspace does, with a personal API token made on "
    "the account page and sent as `Authorization: Bearer esk_…`; it acts as its organiser. Errors are "
    '`{"errors": {field: [messages]}}`. Lists are keyset pages: `{"items": [...], "next": URL or null}`, '
    "with the same URL in a `Link` header. Writes take an `Idempotency-Key`: repeated within 24 hours, "
    "the first answer comes back and nothing runs twice. Past a rate limit the answer is 429 with "
    "`Retry-After`."
)


def from_environment(instance_path: str) -> dict:
    """Every setting eventsys reads, by the environment variable named like it."""
    redis_url = os.environ.get("REDIS_URL") or None
    database = database_url(os.environ.get("DATABASE_URL"), instance_path)
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database),
        "REDIS_URL": redis_url,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT") or 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER") or "eventsys@localhost",
        #: where .eml files go when no MAIL_SERVER is configured
        "MAIL_FILE_DIR": os.environ.get("MAIL_FILE_DIR") or str(Path(instance_path) / "mail"),
        "MAIL_TIMEOUT_SECONDS": float(os.environ.get("MAIL_TIMEOUT_SECONDS") or 30),
        #: first wait after a temporary failure; it doubles with every attempt
        "MAIL_RETRY_BASE_SECONDS": float(os.environ.get("MAIL_RETRY_BASE_SECONDS") or 30),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS") or 10),
        #: a queued row older than this has lost its task; the sweep queues it again
        "MAIL_SWEEP_GRACE_SECONDS": float(os.environ.get("MAIL_SWEEP_GRACE_SECONDS") or 60),
        #: a row `sending` for longer than this belonged to a worker that died
        "MAIL_SENDING_TIMEOUT_SECONDS": float(os.environ.get("MAIL_SENDING_TIMEOUT_SECONDS") or 600),
        #: beat's work inside `flask run` without a broker: auto, on or off (embedded_scheduler.py)
        "EMBEDDED_SCHEDULER": os.environ.get("EMBEDDED_SCHEDULER") or "auto",
        #: how often it runs that work, in seconds
        "EMBEDDED_SCHEDULER_SECONDS": float(os.environ.get("EMBEDDED_SCHEDULER_SECONDS") or 30),
        #: ISO 3166-1 alpha-2 of the host institution's country: the exchange report counts speakers and
        #: attendees from anywhere else as foreign (eventsys/reports/); visa letters are for them
        #: (eventsys/visas/)
        "HOST_COUNTRY": (os.environ.get("HOST_COUNTRY") or "CN").strip().upper(),
        #: the public address, for links in emails
        "BASE_URL": (os.environ.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "CELERY": celery_settings(redis_url),
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
        "API_SPEC_OPTIONS": {"info": {"description": API_DESCRIPTION}},
        #: the languages of pages and emails (eventsys/locales.py); the first is the fallback
        "SUPPORTED_LOCALES": ["en", "zh", "ru"],
        #: sign-in attempts allowed per address; the counters live in Redis when there is one,
        #: so every web process shares them
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT") or "10 per minute;100 per day",
        #: public registrations (API and form) allowed per client address, and per event from everyone;
        #: past either the answer is 429 with Retry-After (eventsys/registration/limits.py)
        "REGISTRATION_RATE_LIMIT": os.environ.get("REGISTRATION_RATE_LIMIT") or "10 per minute;30 per hour",
        "REGISTRATION_EVENT_RATE_LIMIT": os.environ.get("REGISTRATION_EVENT_RATE_LIMIT") or "120 per minute",
        #: registrations one mailbox (plus tags and look-alikes folded) may receive per hour, all events
        #: together: each sends an email, so more would let a stranger flood someone's inbox
        "REGISTRATION_MAILBOX_LIMIT": int(os.environ.get("REGISTRATION_MAILBOX_LIMIT") or 3),
        #: minutes a public registrant has to click the link that confirms their address (events that
        #: verify addresses); nothing is held meanwhile
        "REGISTRATION_VERIFY_MINUTES": int(os.environ.get("REGISTRATION_VERIFY_MINUTES") or 30),
        #: requests per client address to the links the public opens from emails (confirming an address,
        #: one's registration page): a secret cannot be guessed at speed
        "PUBLIC_LINK_RATE_LIMIT": os.environ.get("PUBLIC_LINK_RATE_LIMIT") or "60 per minute",
        #: requests per client address to every other public page (home, events, speakers, calendars,
        #: the form): generous for a person or a school behind one address, a wall for a scraper
        "PUBLIC_PAGE_RATE_LIMIT": os.environ.get("PUBLIC_PAGE_RATE_LIMIT") or "300 per minute",
        #: werkzeug's method for new password hashes: scrypt with its default work factor unless set
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD") or "scrypt",
        #: days before an invitation to register runs out at which a pending invitee is reminded, once
        "INVITATION_REMINDER_DAYS": int(os.environ.get("INVITATION_REMINDER_DAYS") or 3),
        #: requests one personal API token may make to the organiser API, reads (GET) and writes apart;
        #: past either the answer is 429 with Retry-After (eventsys/api/rate_limits.py)
        "ORGANISER_API_READ_LIMIT": os.environ.get("ORGANISER_API_READ_LIMIT") or "600 per minute",
        "ORGANISER_API_WRITE_LIMIT": os.environ.get("ORGANISER_API_WRITE_LIMIT") or "120 per minute",
        #: seconds a write repeated with an Idempotency-Key waits for the first one to finish, before
        #: answering 409 (eventsys/api/idempotency.py)
        "API_IDEMPOTENCY_WAIT_SECONDS": float(os.environ.get("API_IDEMPOTENCY_WAIT_SECONDS") or 5),
        #: client addresses the registration limits leave alone (the benchmark's load generator),
        #: comma-separated
        "RATELIMIT_EXEMPT_ADDRESSES": [a.strip() for a in (os.environ.get("RATELIMIT_EXEMPT_ADDRESSES") or "")
                                       .split(",") if a.strip()],
        #: reverse proxies in front of eventsys that append to X-Forwarded-For; 0 ignores the header,
        #: since without a proxy anyone can write it and pass for any address
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES") or 0),
        #: off: the X-RateLimit-* headers on every answer cost a round trip to Redis each; a refused
        #: client still learns when to try again from Retry-After (errors.seconds_until_allowed)
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": "eventsys-limits",
        #: with Redis down, count in this process (warning logged) rather than answer sign-ins with 500
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True, "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1} if redis_url else {},
        #: keys that encrypt passport details (eventsys/visas/passports.py), comma-separated, newest
        #: first; not SECRET_KEY. Without one, visa letters cannot be requested
        "PASSPORT_KEYS": os.environ.get("PASSPORT_KEYS") or "",
        #: days after an event's end at which its letters' passport details and PDFs are erased
        "VISA_PASSPORT_RETENTION_DAYS": int(os.environ.get("VISA_PASSPORT_RETENTION_DAYS") or 30),
        #: days a letter's download link works
        "VISA_LETTER_LINK_DAYS": int(os.environ.get("VISA_LETTER_LINK_DAYS") or 180),
        #: seconds a webhook receiver has to answer (eventsys/webhooks/delivery.py)
        "WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS") or 10),
        #: let webhooks go to private, loopback and link-local addresses (an intranet, tests); off, they are
        #: refused when saved and at every delivery (eventsys/webhooks/addresses.py)
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": _flag("WEBHOOK_ALLOW_PRIVATE_ADDRESSES"),
        #: days webhook messages and their delivery log are kept
        "WEBHOOK_LOG_DAYS": int(os.environ.get("WEBHOOK_LOG_DAYS") or 30),
        #: Fernet keys that encrypt webhook secrets, comma-separated, newest first; without them a key derived
        #: from SECRET_KEY does (eventsys/webhooks/signing.py)
        "WEBHOOK_SECRET_KEYS": os.environ.get("WEBHOOK_SECRET_KEYS") or "",
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_HTTPONLY": True,
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
