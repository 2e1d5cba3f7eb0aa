"""Celery bound to the Flask app, following Flask's "Background Tasks with Celery" pattern."""

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app whose tasks each run inside the Flask app context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    #: signal handlers (the worker's heartbeat) reach the Flask app through this
    celery_app.flask_app = app
    app.extensions["celery"] = celery_app
    return celery_app
