"""eventsys: conferences, lectures and their registrations, for an international exchange office."""

import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from eventsys import config, pool_liveness
from eventsys.celery_app import celery_init_app
from eventsys.errors import register_error_handlers
from eventsys.extensions import api as rest_api  # not `api`: that name is the eventsys.api package
from eventsys.extensions import csrf, db, limiter, login_manager, migrate

#: templates live at the top of the repository, beside the package
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from the environment, or from test_config on top of it."""
    app = Flask(__name__, instance_relative_config=True, template_folder=str(TEMPLATES))
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    config.require_secret_key(app)
    if app.config["TRUSTED_PROXIES"]:
        # The client's address is the one the nearest trusted proxy saw; the limits key on it.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)
    os.makedirs(app.instance_path, exist_ok=True)

    # Import the models so every table is known to the metadata before anything uses it.
    from eventsys import models  # noqa: F401

    # Resolve relationships between domains now, not on the first query of some request.
    sa.orm.configure_mappers()

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            pool_liveness.install(db.engine)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    rest_api.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    from eventsys.locales import init_babel
    init_babel(app)
    celery_init_app(app)
    from eventsys.mail import outbox
    outbox.install_commit_hooks()
    from eventsys.webhooks import emit as webhook_messages
    webhook_messages.install()
    register_email_kinds()
    from eventsys.registration import event_snapshots
    event_snapshots.install()

    from eventsys.web import register_web
    register_web(app)
    from eventsys.api import register_api
    register_api(app)
    from eventsys.healthz import bp as healthz_bp
    app.register_blueprint(healthz_bp)
    from eventsys.cli import register_commands
    register_commands(app)

    register_error_handlers(app)
    # Last: its first round may run at once, on the app as complete as it gets.
    from eventsys.embedded_scheduler import start_if_wanted
    start_if_wanted(app)
    return app


def register_email_kinds() -> None:
    """Tell mail/ every domain's kinds of email: it renders by these alone (mail/kinds.py).

    Called by create_app, so the web app, the worker (worker.py) and `flask` commands
    all know them. Registering them again, with each app a test makes, changes nothing.
    """
    from eventsys.certificates import emails as certificate_emails
    from eventsys.events import emails as event_emails
    from eventsys.invitations import emails as invitation_emails
    from eventsys.mail.kinds import register
    from eventsys.messages import emails as message_emails
    from eventsys.registration import emails as registration_emails
    from eventsys.reminders import emails as reminder_emails
    from eventsys.speakers import emails as speaker_emails
    from eventsys.visas import emails as visa_emails
    from eventsys.webhooks import emails as webhook_emails

    for module in (registration_emails, event_emails, reminder_emails, speaker_emails, message_emails,
                   visa_emails, invitation_emails, webhook_emails, certificate_emails):
        for kind in module.KINDS:
            register(kind)
