"""The full stack started by hand, as the README says: migrate, seed, gunicorn, worker and beat."""

import subprocess
import time
import uuid

import httpx
import pytest
from celery import Celery

from tests import servers

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=servers.ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture
def stack_env():
    """The environment of the hand-started processes, on a fresh PostgreSQL database and real Redis."""
    database_url = servers.create_postgres_database("eventsys_stack")
    redis_url = servers.require_redis()
    yield servers.app_environment(DATABASE_URL=database_url, REDIS_URL=redis_url)
    servers.drop_postgres_database(database_url)


def test_the_processes_started_by_hand_serve_registrations_and_answer_as_a_worker(stack_env):
    flask = [str(servers.VENV_BIN / "flask"), "--app", "eventsys"]
    celery = [str(servers.VENV_BIN / "celery"), "-A", "worker"]
    _run(flask + ["db", "upgrade"], stack_env)
    _run(flask + ["seed-demo"], stack_env)
    worker_name = f"stack-{uuid.uuid4().hex[:8]}@localhost"
    processes = [
        servers.start_process(
            celery
            + ["worker", "-Q", "default,mail", "--loglevel=INFO", "--concurrency=1", "-n", worker_name],
            stack_env,
        ),
        servers.start_process(
            celery + ["beat", "--loglevel=INFO", "--schedule", f"/tmp/{worker_name}-beat"], stack_env
        ),
    ]
    try:
        web, base_url = servers.start_gunicorn(stack_env, workers=1, threads=4)
        processes.append(web)
        events = httpx.get(f"{base_url}/api/v1/events").json()
        assert len(events) >= 5
        details = [httpx.get(f"{base_url}/api/v1/events/{e['slug']}").json() for e in events]
        simple = [
            d for d in details if d["registration_open"] and not any(q["required"] for q in d["questions"])
        ]
        assert simple, "the demo has an open event without required questions"
        registered = httpx.post(
            f"{base_url}/api/v1/events/{simple[0]['slug']}/registrations",
            json={
                "name": "Stack Test",
                "email": "stack@example.org",
                "country": "UA",
                "category": "industry",
                "consent": True,
            },
        )
        assert registered.status_code == 201, registered.text
        assert httpx.get(registered.json()["manage_url"]).status_code == 200

        control = Celery(broker=stack_env["REDIS_URL"])
        replies = []
        deadline = time.monotonic() + 60
        while not replies and time.monotonic() < deadline:
            replies = control.control.ping(destination=[worker_name], timeout=1.0)
        assert replies == [{worker_name: {"ok": "pong"}}]

        time.sleep(1)
        assert all(p.poll() is None for p in processes), "a process of the stack exited"
    finally:
        for process in processes:
            servers.stop(process)
    beat_log = servers.output_of(processes[1])
    assert "beat: Starting" in beat_log, beat_log
