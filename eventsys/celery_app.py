"""Celery bound to the Flask app, following Flask's "Background Tasks with Celery" pattern."""

from celery import Celery, Task
from flask import Flask

#: A worker outlives any broker outage. Nothing it holds needs Redis: a retry is a due time in the
#: outbox row, a lost task is found again by the sweep. What kills a worker (kombu 5.7) is closing a
#: lost connection while it holds a message not yet acknowledged; so it holds none for long.
SURVIVE_BROKER_LOSS = {
    # Reconnect for as long as it takes, at start too (the default gives up after 100 tries).
    "broker_connection_retry": True,
    "broker_connection_retry_on_startup": True,
    "broker_connection_max_retries": None,
    "broker_channel_error_retry": True,
    # Acknowledge a task when it starts: the outbox, not the broker, remembers what is left to do.
    "task_acks_late": False,
    # Take the next task only when a thread is free, so no message waits unacknowledged in the worker.
    "worker_disable_prefetch": True,
    # A delivery batch needs only the database and SMTP: let it finish while the broker is away.
    "worker_cancel_long_running_tasks_on_connection_loss": False,
}


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app whose tasks each run inside the Flask app context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.conf.update(SURVIVE_BROKER_LOSS)
    celery_app.set_default()
    #: signal handlers (the worker's heartbeat) reach the Flask app through this
    celery_app.flask_app = app
    app.extensions["celery"] = celery_app
    return celery_app
