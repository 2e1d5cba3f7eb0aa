"""Finding the real PostgreSQL and Redis servers the tests use, and starting app processes."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
#: the server holding the per-run test databases
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
#: each pytest-xdist worker ("gw0", "gw1", ...) its own Redis database, so that two workers'
#: brokers never hand each other's tasks around
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_REDIS_DB = int(_XDIST_WORKER.removeprefix("gw")) + 1 if _XDIST_WORKER.startswith("gw") else 0
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{_REDIS_DB}")
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(what: str, problem: Exception):
    """Missing servers fail the run in CI and skip locally."""
    message = f"{what} is not reachable: {problem}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def create_postgres_database(prefix: str = "eventsys_test") -> str:
    """Create a fresh, uniquely named database and return its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as problem:
        unavailable("PostgreSQL", problem)
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)


def drop_postgres_database(url: str) -> None:
    """Drop a database made by create_postgres_database, even with connections left open."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_redis() -> str:
    """The Redis URL, after checking the server answers."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as problem:
        unavailable("Redis", problem)
    return REDIS_URL


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def output_of(process: subprocess.Popen) -> str:
    """What a process started by start_process has written so far."""
    return Path(process.args_log).read_text(errors="replace")


def start_process(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start a process whose output goes to a file: a pipe nobody reads would block it once full."""
    log = tempfile.NamedTemporaryFile("w", prefix="eventsys-", suffix=".log", delete=False)
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    process.args_log = log.name
    log.close()
    return process


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Block until url answers, or fail with the process output if it died or took too long."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{output_of(process)}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def app_environment(**settings: str) -> dict[str, str]:
    """The environment for an eventsys process: ours, minus anything that would point elsewhere."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "MAIL_SERVER"}}
    # Registration limits out of the way unless the test sets them (tests/registration/test_flood.py).
    env.update({"SECRET_KEY": "test-secret", "PYTHONUNBUFFERED": "1",
                "REGISTRATION_RATE_LIMIT": "100000 per second",
                "REGISTRATION_EVENT_RATE_LIMIT": "100000 per second",
                "REGISTRATION_MAILBOX_LIMIT": "100000", "PUBLIC_LINK_RATE_LIMIT": "100000 per second",
                "PUBLIC_PAGE_RATE_LIMIT": "100000 per second"},
               **settings)
    return env


def start_gunicorn(env: dict[str, str], workers: int = 2, threads: int = 8) -> tuple[subprocess.Popen, str]:
    """Serve eventsys with gunicorn on a free port; returns the process and its base URL."""
    port = free_port()
    process = start_process(
        [
            str(VENV_BIN / "gunicorn"),
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "--backlog",
            "512",
            "-b",
            f"127.0.0.1:{port}",
            "eventsys:create_app()",
        ],
        env,
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_for_http(base_url + "/api/v1/events", process)
    return process, base_url


def stop(process: subprocess.Popen) -> None:
    """Stop a server process and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_redis(port: int | None = None) -> tuple[subprocess.Popen, str]:
    """A Redis server of the test's own, so a test can stop and restart its broker."""
    port = port or free_port()
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
            return process, url
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"redis-server on port {port} did not start") from None
            time.sleep(0.05)
