"""The Docker deployment as written: one image built once, a migration waited for, health checks that work.

Docker does not run where the tests run, so these read docker-compose.yml and the Dockerfile,
and run the health-check commands themselves against real processes.
"""

import ast
import importlib.metadata
import os
import shlex
import socket
import subprocess
import sys
import time
import uuid

import pytest
import yaml
from packaging.requirements import Requirement

from eventsys.config import WORKER_QUEUES
from tests import servers

ROOT = servers.ROOT
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat", "postgres", "redis", "mailpit")


@pytest.fixture(scope="module")
def compose() -> dict:
    """docker-compose.yml as Compose reads it (anchors and merge keys resolved)."""
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _instructions(dockerfile: list[str], keyword: str) -> list[str]:
    return [line.split(None, 1)[1] for line in dockerfile if line.split(None, 1)[0].upper() == keyword]


def _command(service: dict, dockerfile: list[str]) -> list[str]:
    """What the container runs: its command, or the image's CMD."""
    command = service.get("command")
    if command is None:
        return yaml.safe_load(_instructions(dockerfile, "CMD")[-1])  # the JSON form is YAML too
    return shlex.split(command) if isinstance(command, str) else command


def test_one_image_is_built_once_and_runs_every_app_service(services):
    builders = [name for name, service in services.items() if "build" in service]
    assert builders == ["migrate"], "exactly one service builds the image"
    assert services["migrate"]["build"] in (".", {"context": "."})
    image = services["migrate"]["image"]
    for name in APP_SERVICES:
        assert services[name]["image"] == image, name
    for name in ("web", "worker", "beat"):
        assert services[name]["pull_policy"] == "never", f"{name} must not pull a stranger's {image}"


def test_nothing_is_installed_or_mounted_when_a_container_starts(services, dockerfile):
    for name in APP_SERVICES:
        command = " ".join(_command(services[name], dockerfile))
        assert "pip" not in command, name
        # The image's code runs, not a checkout mounted over it.
        assert not services[name].get("volumes"), name


def test_the_image_installs_runtime_requirements_only_and_runs_as_a_user(dockerfile):
    runs = " ".join(_instructions(dockerfile, "RUN"))
    assert "pip install -r requirements.txt" in runs
    assert "requirements-dev" not in runs
    users = _instructions(dockerfile, "USER")
    assert users and users[-1] not in {"root", "0"}, "the last USER is who runs the app"
    stages = {line.split()[-1] for line in _instructions(dockerfile, "FROM") if " AS " in line.upper()}
    for line in _instructions(dockerfile, "COPY"):
        words = shlex.split(line)
        if words[0].startswith("--from="):  # what an earlier stage built (the browser libraries, by npm ci)
            assert words[0].removeprefix("--from=") in stages, line
            continue
        for source in words[:-1]:
            assert (ROOT / source).exists(), source
            assert not source.startswith(("tests", "bench", ".")), f"{source} is not needed at run time"
    # The browser libraries come from the registry by the lock file, as `make setup` installs them.
    assert "npm ci" in runs
    # The catalogues ship compiled (the image has no make), from the .po files the package carries.
    assert "pybabel compile -d eventsys/translations" in runs
    assert list((ROOT / "eventsys" / "translations").glob("*/LC_MESSAGES/messages.po"))


def test_web_serves_with_the_documented_gunicorn_settings(services, dockerfile):
    command = " ".join(_command(services["web"], dockerfile))
    assert command.startswith("gunicorn -w 4 -k gthread --threads 8 -b 0.0.0.0:8000 ")
    assert "8000:8000" in services["web"]["ports"]


def test_migrate_runs_once_and_everything_else_waits_for_it(services, dockerfile):
    assert _command(services["migrate"], dockerfile) == ["flask", "--app", "eventsys", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    assert "migrate" not in services["migrate"]["depends_on"]
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    for name in ("web", "worker", "beat"):
        waits = services[name]["depends_on"]
        assert waits["migrate"] == {"condition": "service_completed_successfully"}, name
        assert waits["postgres"] == {"condition": "service_healthy"}, name
        assert waits["redis"] == {"condition": "service_healthy"}, name


def test_health_checks_and_restart_policies(services):
    for name in ("web", "worker", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    for name in LONG_RUNNING:
        assert services[name]["restart"] == "unless-stopped", name


def test_settings_from_the_environment(services):
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?"), "required, never defaulted"
        assert environment["BASE_URL"] == "${BASE_URL:-http://localhost:8000}", "the port web publishes"


def test_the_worker_consumes_every_queue_and_beat_runs_once(services, dockerfile):
    worker = _command(services["worker"], dockerfile)
    assert worker[:4] == ["celery", "-A", "worker", "worker"]
    assert set(worker[worker.index("-Q") + 1].split(",")) == set(WORKER_QUEUES)
    beats = [name for name, service in services.items() if _schedules(_command(service, dockerfile))]
    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1


def _schedules(command: list[str]) -> bool:
    """Whether a command runs a beat: its own, or one inside a worker (`-B`)."""
    return command[:4] == ["celery", "-A", "worker", "beat"] or bool({"-B", "--beat"} & set(command))


def _distributions_needed_by_the_app() -> set[str]:
    """Distributions that eventsys and worker.py import (standard library left out)."""
    files = [*(ROOT / "eventsys").rglob("*.py"), ROOT / "worker.py"]
    modules = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    modules -= set(sys.stdlib_module_names) | {"eventsys"}
    owners = importlib.metadata.packages_distributions()
    return {owners[module][0].lower().replace("_", "-") for module in modules}


def _closure(requirements: list[Requirement]) -> set[str]:
    """The named distributions and everything they depend on, with their extras."""
    seen, todo = set(), list(requirements)
    while todo:
        requirement = todo.pop()
        name = requirement.name.lower().replace("_", "-")
        extras = requirement.extras or {""}
        if (name, frozenset(extras)) in seen:
            continue
        seen.add((name, frozenset(extras)))
        for line in importlib.metadata.requires(requirement.name) or []:
            dependency = Requirement(line)
            if dependency.marker is None or any(dependency.marker.evaluate({"extra": e}) for e in extras):
                todo.append(dependency)
    return {name for name, _ in seen}


def test_the_runtime_requirements_hold_everything_the_app_imports():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    runtime = [Requirement(line) for line in lines if line.strip() and not line.startswith(("#", "-"))]
    missing = _distributions_needed_by_the_app() - _closure(runtime)
    assert not missing, f"imported at run time but only in requirements-dev.txt or nowhere: {missing}"
    assert not {r.name.lower() for r in runtime} & {"pytest", "ruff", "playwright", "hypothesis", "pyyaml"}
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()


def _health_command(service: dict, **replace: str) -> list[str]:
    """A service's health check as this machine runs it: Compose's $$ is a shell's $."""
    test = service["healthcheck"]["test"]
    if test[0] == "CMD-SHELL":
        command = ["sh", "-c", test[1].replace("$$", "$")]
    else:
        command = list(test[1:])
    for old, new in replace.items():
        command = [part.replace(old, new) for part in command]
    return command


@pytest.mark.slow
def test_the_web_health_check_passes_on_a_live_server_and_fails_without_one(services, tmp_path):
    env = servers.app_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'eventsys.db'}")
    web, base_url = servers.start_gunicorn(env, workers=1, threads=2)
    port = base_url.rsplit(":", 1)[1]
    command = _health_command(services["web"], python=sys.executable, **{"8000": port})
    try:
        assert subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    finally:
        servers.stop(web)
    assert subprocess.run(command, capture_output=True, timeout=30).returncode != 0


@pytest.mark.slow
@pytest.mark.redis
def test_the_worker_health_check_asks_the_worker_of_its_own_container(services, tmp_path):
    env = servers.app_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'eventsys.db'}",
                                  REDIS_URL=servers.require_redis())
    # In a container the worker is named celery@<hostname> and $HOSTNAME is that hostname; a
    # unique name here stands for the container's, so no other worker on this Redis can answer.
    hostname = f"deploy-{uuid.uuid4().hex[:8]}"
    worker = servers.start_process(
        [str(servers.VENV_BIN / "celery"), "-A", "worker", "worker", "-Q", ",".join(WORKER_QUEUES),
         "--concurrency=1", "-n", f"celery@{hostname}", "--loglevel=INFO"], env)
    check_env = {**env, "HOSTNAME": hostname, "PATH": f"{servers.VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    command = _health_command(services["worker"])
    try:
        # Ask once it says it is ready: each unanswered ping costs the check's whole timeout.
        deadline = time.monotonic() + 60
        while " ready." not in servers.output_of(worker) and time.monotonic() < deadline:
            assert worker.poll() is None, servers.output_of(worker)
            time.sleep(0.2)
        passed = False
        for _ in range(6):  # the worker needs a few seconds to join
            done = subprocess.run(command, cwd=ROOT, env=check_env, capture_output=True, text=True,
                                  timeout=60)
            if done.returncode == 0:
                passed = True
                break
            assert worker.poll() is None, servers.output_of(worker)
        assert passed, done.stdout + done.stderr
    finally:
        servers.stop(worker)
    stranger = {**check_env, "HOSTNAME": f"gone-{socket.gethostname()}"}
    # The same check with a shorter wait: nobody of that name answers, however long it waits.
    quick = _health_command(services["worker"], **{"--timeout 10": "--timeout 2"})
    assert quick != command
    assert subprocess.run(quick, cwd=ROOT, env=stranger, capture_output=True, timeout=60).returncode != 0
