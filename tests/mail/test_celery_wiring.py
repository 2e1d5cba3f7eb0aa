"""The worker listens where tasks are sent, loads every task module, and beat has one schedule."""

import re
from pathlib import Path

from eventsys.config import BEAT_SCHEDULE, TASK_MODULES, WORKER_QUEUES, celery_settings

ROOT = Path(__file__).resolve().parents[2]


def _route_queue(app, task_name: str) -> str:
    route = app.amqp.router.route({}, task_name)
    return route["queue"].name


def test_every_task_is_routed_to_a_queue_the_worker_consumes(app):
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    ours = [name for name in celery.tasks if name.startswith("eventsys.")]
    assert "eventsys.mail.deliver_emails" in ours
    assert {_route_queue(celery, name) for name in ours} <= set(WORKER_QUEUES)
    assert _route_queue(celery, "eventsys.mail.deliver_emails") == "mail"


def test_the_documented_worker_commands_consume_those_queues():
    queues = ",".join(WORKER_QUEUES)
    compose = (ROOT / "docker-compose.yml").read_text()
    readme = (ROOT / "README.md").read_text()
    assert f"celery -A worker worker -Q {queues}" in compose
    assert f"celery -A worker worker -Q {queues}" in readme
    assert len(re.findall(r"celery -A worker beat", compose)) == 1, "exactly one beat"
    assert "-B" not in compose.split()


def test_beat_runs_only_tasks_that_a_worker_loads():
    settings = celery_settings("redis://127.0.0.1:6379/0")
    assert settings["beat_schedule"] is BEAT_SCHEDULE
    assert settings["imports"] == TASK_MODULES
    modules = {name.rsplit(".", 1)[0] for name in TASK_MODULES}
    for entry in BEAT_SCHEDULE.values():
        assert any(entry["task"].startswith(module.removesuffix(".tasks")) for module in modules), entry
    assert settings["broker_transport_options"]["visibility_timeout"] >= 3600
