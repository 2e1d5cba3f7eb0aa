"""The OpenAPI document states the limits the API applies, and the API answers as the document says."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from eventsys.registration.models import AFFILIATION_MAX, EMAIL_MAX, NAME_MAX, QuestionKind
from eventsys.textrules import NUMBER_LIMIT
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


def test_generated_requests_never_get_a_server_error_or_an_undocumented_answer(app):
    """Schemathesis reads /api/v1/openapi.json and sends what it describes, and what it forbids."""
    event = make_event()
    for kind in QuestionKind:
        add_question(event, kind, kind.value, options=["A", "B"] if "choice" in kind else None)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 3
    for operation in operations:
        slug = {"slug": event.slug} if "{slug}" in operation.path else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=slug)

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
