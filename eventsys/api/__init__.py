"""The JSON API (/api/v1), documented by flask-smorest at /api/v1/openapi.json.

Two parts: the public one (events.py: upcoming events, registering), and the organiser
API under /api/v1/manage/ (organiser/), reached with personal API tokens.
"""

from flask import Flask

from eventsys.extensions import api, csrf


def register_api(app: Flask) -> None:
    """Register the API blueprints; they take JSON without cookies, so CSRF does not apply."""
    from eventsys.api import organiser
    from eventsys.api.events import blp as events_blp

    csrf.exempt(events_blp)
    api.register_blueprint(events_blp)
    for blp in organiser.blueprints():
        csrf.exempt(blp)
    organiser.register(api)
