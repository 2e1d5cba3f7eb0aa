"""The OpenAPI document states the limits the API applies, and the API answers as the document says."""

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from eventsys.database import db
from eventsys.registration.models import AFFILIATION_MAX, EMAIL_MAX, NAME_MAX, QuestionKind, Registration
from eventsys.textrules import NUMBER_LIMIT
from tests import servers
from tests.factories import add_question, make_event

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
#: examples per operation and generation mode; the whole run stays within a few seconds
EXAMPLES = 50


def _registration_schema(client) -> dict:
    spec = client.get("/api/v1/openapi.json").json
    post = spec["paths"]["/api/v1/events/{slug}/registrations"]["post"]
    name = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    return spec["components"]["schemas"][name]


def test_the_registration_schema_states_each_fields_limits(client):
    fields = _registration_schema(client)["properties"]
    assert (fields["name"]["minLength"], fields["name"]["maxLength"]) == (1, NAME_MAX)
    assert fields["email"]["maxLength"] == EMAIL_MAX
    assert fields["affiliation"]["maxLength"] == AFFILIATION_MAX
    assert fields["country"]["maxLength"] == 2
    assert fields["category"]["enum"] == ["student", "faculty", "industry", "other"]
    number = next(shape for shape in fields["answers"]["additionalProperties"]["oneOf"]
                  if shape["type"] == "number")
    assert (number["minimum"], number["maximum"]) == (-NUMBER_LIMIT, NUMBER_LIMIT)


def test_errors_are_documented_in_the_shape_they_are_sent(client):
    spec = client.get("/api/v1/openapi.json").json
    post = spec["paths"]["/api/v1/events/{slug}/registrations"]["post"]["responses"]
    assert post["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/Errors")
    assert spec["components"]["schemas"]["Errors"]["required"] == ["errors"]


def _answers_as_documented(schema, slug: str) -> None:
    """Send what each operation of schema describes, and what it forbids; every answer as documented."""
    operations = [result.ok() for result in schema.get_all_operations()]
    # The organiser API (/api/v1/manage/) needs a token: tests/api/test_organiser_openapi.py runs it.
    operations = [operation for operation in operations if not operation.path.startswith("/api/v1/manage/")]
    assert len(operations) == 3
    for operation in operations:
        path_parameters = {"slug": slug} if "{slug}" in operation.path else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @given(case=strategy)
            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def answers_as_documented(case):
                case.call_and_validate(checks=CHECKS)

            try:
                answers_as_documented()
            except Unsatisfiable:
                # GET /events/{slug} with its slug given: nothing left to make invalid
                assert mode is GenerationMode.NEGATIVE and operation.method.upper() == "GET"


def _event_with_every_kind_of_question():
    event = make_event()
    for kind in QuestionKind:
        add_question(event, kind, kind.value, options=["A", "B"] if "choice" in kind else None)
    return event


def test_generated_requests_never_get_a_server_error_or_an_undocumented_answer(app):
    """Schemathesis reads /api/v1/openapi.json and sends what it describes, and what it forbids."""
    event = _event_with_every_kind_of_question()
    _answers_as_documented(schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), event.slug)


@pytest.mark.slow
@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_the_live_server_answers_as_its_openapi_document_says(app):
    """The same run over HTTP, against gunicorn on PostgreSQL as deployed, from the document it serves."""
    slug = _event_with_every_kind_of_question().slug
    env = servers.app_environment(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    process, base_url = servers.start_gunicorn(env, workers=1, threads=4)
    try:
        _answers_as_documented(schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json"), slug)
    finally:
        servers.stop(process)
    assert "Traceback" not in servers.output_of(process)
    # The generated registrations really reached the server and were stored.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) > 0
