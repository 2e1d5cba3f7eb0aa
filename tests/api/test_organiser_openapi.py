"""The organiser API's document describes the token and every error; the live server answers as it says.

Schemathesis reads /api/v1/openapi.json from gunicorn on PostgreSQL, as deployed, and
sends each organiser operation what the document describes and what it forbids,
authenticated with a real token of an organiser whose world (tests/world.py) gives
every path its ids. No answer may be a server error or differ from the document, and
every operation must refuse the same request without the token (ignored_auth).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
)

from eventsys.accounts.models import User
from eventsys.database import db
from tests import servers
from tests.factories import bearer, make_token
from tests.world import build_world

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance,
          response_headers_conformance, ignored_auth]
#: examples per operation and generation mode: about forty operations stay within a minute
EXAMPLES = 5
PREFIX = "/api/v1/manage"
WRITES = {"post", "patch", "put", "delete"}


def _organiser_operations(spec: dict):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                yield path, method, operation


def test_every_organiser_operation_documents_its_token_and_errors(client):
    spec = client.get("/api/v1/openapi.json").json
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert spec["components"]["responses"]["TooManyRequests"]["headers"]["Retry-After"]
    assert spec["components"]["responses"]["TokenRefused"]["headers"]["WWW-Authenticate"]
    organisers = 0
    for path, method, operation in _organiser_operations(spec):
        responses = operation["responses"]
        if not path.startswith(PREFIX):
            assert "security" not in operation, f"{method} {path}: the public API needs no token"
            continue
        organisers += 1
        assert operation["security"] == [{"bearerAuth": []}], f"{method} {path}"
        assert {"401", "429", "default"} <= set(responses), f"{method} {path}"
        success = [code for code in responses if code.startswith("2")]
        assert len(success) == 1, f"{method} {path}"
        if "{" in path:
            assert "404" in responses, f"{method} {path}"
        if method in WRITES:
            assert {"403", "409", "422"} <= set(responses), f"{method} {path}"
            assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]], f"{method} {path}"
            if method != "delete":
                actions = ("/publish", "/cancel", "/approve", "/promote", "/check-in", "/resend", "/revoke")
                assert "requestBody" in operation or path.endswith(actions), path
        lists = ("events", "programme", "questions", "registrations", "invitations", "emails", "speakers",
                 "institutions")
        if method == "get" and path.endswith(lists):
            schema = responses["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert set(spec["components"]["schemas"][schema]["properties"]) == {"items", "next"}
            assert "Link" in responses["200"]["headers"]
    assert organisers >= 35


def _last_what_ends_things(operation) -> int:
    """Deleting, then cancelling the registration, then the event: run before, they would leave the
    other operations only refusals to give (a cancelled event changes no more)."""
    if operation.path.endswith("/events/{event_id}/cancel"):
        return 3
    if operation.path.endswith("/cancel"):
        return 2
    return int(operation.method.upper() == "DELETE")


def _path_ids(path: str, ids: dict[str, int]) -> dict[str, int] | None:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return {name: ids[name] for name in names} or None


@pytest.mark.slow
@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_the_live_server_answers_its_organisers_as_its_openapi_document_says(app):
    world = build_world()
    token = make_token(db.session.get(User, world.ids["user_id"]))
    env = servers.app_environment(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                                  ORGANISER_API_READ_LIMIT="100000 per minute",
                                  ORGANISER_API_WRITE_LIMIT="100000 per minute")
    process, base_url = servers.start_gunicorn(env, workers=1, threads=4)
    try:
        schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        operations = sorted((operation for operation in operations if operation.path.startswith(PREFIX)),
                            key=_last_what_ends_things)
        assert len(operations) >= 35
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                strategy = operation.as_strategy(generation_mode=mode,
                                                 path_parameters=_path_ids(operation.path, world.ids))

                @given(case=strategy)
                @settings(max_examples=EXAMPLES, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
                def answers_as_documented(case):
                    headers = bearer(token)
                    response = case.call(headers=headers)
                    if response.status_code == 414 and "Request Line is too large" in response.text:
                        return  # gunicorn's own limit (4094 bytes), before eventsys: long search texts
                    case.validate_response(response, checks=CHECKS, headers=headers,
                                           transport_kwargs={"headers": dict(headers)})

                try:
                    answers_as_documented()
                except Unsatisfiable:
                    # A GET whose only parameters are its path's ids, given: nothing is left to make invalid.
                    assert mode is GenerationMode.NEGATIVE, operation.label
    finally:
        servers.stop(process)
    assert "Traceback" not in servers.output_of(process)
