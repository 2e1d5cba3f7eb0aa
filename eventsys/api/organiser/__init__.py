"""The organiser API, /api/v1/manage/: what the workspace does, for an organiser's scripts, as the organiser.

Its URLs mirror the workspace's: /manage/events/<id>/registrations is the page,
/api/v1/manage/events/<id>/registrations the same list as JSON. A prefix of its own,
rather than /api/v1/events/<id>, because the public API's /api/v1/events/<slug> takes
any slug, and a slug may be all digits: /api/v1/events/2027 would mean two things.
Under /api/v1/ still, so errors come in the API's shape and the OpenAPI document
describes it with the public API.

Each resource has a module here, each module a blueprint made by `organiser_blueprint`:
every route needs a personal API token and is checked before its view runs (api/auth.py),
answers its writes once per Idempotency-Key (api/idempotency.py), and pages its lists
by keyset (api/pagination.py). The views are thin: they read the request, call the
same service function as the workspace's page, and write the answer.
"""

from flask_smorest import Api, Blueprint

from eventsys.api import auth, idempotency
from eventsys.api.parser import ApiParser

URL_PREFIX = "/api/v1/manage"


def organiser_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A blueprint of the organiser API: every route behind the token checks, writes once per key."""
    blp = Blueprint(name, import_name, url_prefix=URL_PREFIX, description=description)
    # A schema instance per argument, as in api/events.py: given a class, webargs makes one per request.
    blp.ARGUMENTS_PARSER = ApiParser()
    blp.before_request(auth.authorise)
    blp.after_request(idempotency.remember)
    blp.teardown_request(idempotency.release_unanswered)
    return blp


def blueprints() -> list[Blueprint]:
    """Every blueprint of the organiser API, in the order the OpenAPI document lists them."""
    from eventsys.api.organiser import (
        emails,
        events,
        institutions,
        invitations,
        programme,
        questions,
        registrations,
        speakers,
    )

    return [events.blp, programme.blp, questions.blp, registrations.blp, invitations.blp, emails.blp,
            speakers.blp, institutions.blp]


def register(api: Api) -> None:
    """Describe the token and the shared errors in the OpenAPI document, then register the blueprints."""
    from eventsys.api.organiser.docs import register_components

    register_components(api.spec)
    for blp in blueprints():
        api.register_blueprint(blp)
