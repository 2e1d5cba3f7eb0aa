"""Beat's work inside `flask run`, for the embedded default: no broker, so no beat and no worker.

Without it, reminders and retries after a temporary mail failure would wait for
someone to run `flask tick`. A daemon thread of the serving process runs
`periodic.run_periodic_work` (what `flask tick` runs) at once and then every
EMBEDDED_SCHEDULER_SECONDS, each round in an app context of its own; a failing
round is logged and the next one comes as usual.

Where it runs is decided by EMBEDDED_SCHEDULER:
- `auto` (the default): in the process that serves `flask run` when there is no
  REDIS_URL. Not in the reloader's watching parent (only the child serves), not in
  other commands (`flask db upgrade`, `seed-demo`, `tick`…), not under gunicorn,
  not in tests' apps.
- `on`: in any process that serves the app (a single gunicorn worker without Redis, a
  test that asks), but still not in other `flask` commands.
- `off`: never; beat (or cron with `flask tick`) does the work.

Two schedulers at once do no harm (each piece claims its rows), so a second
process running it costs only queries. Under SQLite the rounds' writes queue
behind registrations on the busy timeout (database.py); each piece starts its
transaction with its write, so it waits rather than failing on a stale snapshot.
"""

import atexit
import logging
import os
import threading

import click
from flask import Flask
from flask.cli import get_debug_flag, run_command
from werkzeug.serving import is_running_from_reloader

from eventsys.periodic import run_periodic_work

log = logging.getLogger(__name__)

#: the key of the running scheduler in app.extensions
EXTENSION = "embedded_scheduler"
#: printed once by each process that starts it
STARTED_MESSAGE = "embedded scheduler started"


class EmbeddedScheduler:
    """A thread running beat's work every `interval` seconds until stopped."""

    def __init__(self, app: Flask, interval: float):
        self.app = app
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedded-scheduler", daemon=True)

    def start(self) -> "EmbeddedScheduler":
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Let the round under way finish (up to timeout), then end the thread."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def run_round(self) -> None:
        """One round of beat's work; anything that goes wrong is logged, never raised."""
        try:
            with self.app.app_context():
                done = run_periodic_work(keep_going=True)
            if any(done.values()):
                log.info("embedded scheduler: %s", ", ".join(f"{name} {n}" for name, n in done.items() if n))
        except Exception:  # the database is away, say: the thread must live on to try again
            log.exception("embedded scheduler: the round failed; the next one tries again")

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_round()
            self._stop.wait(self.interval)


def _serving_under_flask_run(command: click.Command | None) -> bool:
    """`flask run`, in the process that serves: with the reloader, its child, not the watching parent."""
    if command is not run_command:
        return False
    reload = click.get_current_context().params.get("reload")
    if reload is None:  # as `flask run` decides it: on with --debug
        reload = get_debug_flag()
    return not reload or is_running_from_reloader()


def wanted(app: Flask) -> bool:
    """Whether this process should run the scheduler (see the module's docstring)."""
    setting = str(app.config.get("EMBEDDED_SCHEDULER", "auto")).strip().lower()
    context = click.get_current_context(silent=True)
    command = context.command if context is not None else None
    if setting in {"off", "0", "false", "no"}:
        return False
    if setting in {"on", "1", "true", "yes"}:
        # outside any `flask` command (gunicorn, a test), or serving `flask run`
        return command is None or _serving_under_flask_run(command)
    return not app.testing and not app.config.get("REDIS_URL") and _serving_under_flask_run(command)


def start_if_wanted(app: Flask) -> EmbeddedScheduler | None:
    """Start the scheduler when this process should run it; it is then app.extensions[EXTENSION]."""
    if not wanted(app):
        return None
    interval = float(app.config.get("EMBEDDED_SCHEDULER_SECONDS") or 30)
    scheduler = EmbeddedScheduler(app, interval).start()
    app.extensions[EXTENSION] = scheduler
    atexit.register(scheduler.stop)
    # Printed beside `flask run`'s own lines, so whoever started it knows no cron is needed.
    click.echo(f" * {STARTED_MESSAGE} (pid {os.getpid()}): reminders, invitation expiry and mail "
               f"retries every {interval:g} s", err=True)
    return scheduler
