"""Properties of registering: whatever text and JSON arrive, a clean refusal or a clean stored row.

A clean refusal is the service's own RegistrationError (its message names the field);
a clean row reads back equal to what was stored and holds only valid Unicode. Nothing
else may come out: not a database error, not a UnicodeEncodeError, not a 500.
"""

import json

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eventsys.database import db
from eventsys.registration import services
from eventsys.registration.answers import InvalidAnswers, clean_answers
from eventsys.registration.models import QuestionKind, Registration
from eventsys.textrules import text_problem
from tests.conftest import both_databases
from tests.factories import add_question, make_event, registration_body


def examples(values):
    """Hypothesis' @example once per value."""
    def decorate(test):
        for value in values:
            test = example(value)(test)
        return test
    return decorate


#: every code point, lone surrogates and controls included
ANY_CHARACTER = st.characters(exclude_categories=())
#: text a person might type, text nobody types, and the edges of both
TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=30),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(["", " ", "Li Wei", "\x00", "\ud800", "a\nb", "x" * 201, "RU", "student",
                     "attendee@example.org", "1e400", "NaN", "2026-02-30", "9" * 50]),
)
NUMBERS = st.one_of(st.integers(), st.integers(min_value=-(10**400), max_value=10**400),
                    st.floats(allow_nan=True, allow_infinity=True))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
#: any JSON value, a few levels deep
ANY_JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner,
                                                                                           max_size=4),
                        max_leaves=12)
SETTINGS = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _valid_unicode(value) -> bool:
    """Whether value encodes as UTF-8, strings inside JSON included."""
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return False
    return True


@pytest.fixture
def event(app):
    event = make_event(capacity=None)
    for kind in QuestionKind:
        add_question(event, kind, kind.value, options=["A", "B"] if "choice" in kind else None)
    return event


def _answers(event):
    keys = st.one_of(st.sampled_from([q.field_name for q in event.questions]), TEXT)
    return st.one_of(st.dictionaries(keys, ANY_JSON, max_size=4), ANY_JSON)


@both_databases
def test_any_applicant_is_refused_cleanly_or_stored_cleanly(app, event):
    emails = st.one_of(TEXT, st.builds("{}@example.org".format, st.text("abcxyz", min_size=1, max_size=8)))

    @SETTINGS
    @given(name=st.one_of(TEXT, ANY_JSON), email=emails, affiliation=st.one_of(TEXT, ANY_JSON),
           country=st.one_of(TEXT, ANY_JSON), category=st.one_of(TEXT, ANY_JSON), answers=_answers(event))
    def register(name, email, affiliation, country, category, answers):
        applicant = services.Applicant(name=name, email=email, affiliation=affiliation, country=country,
                                       category=category, answers=answers)
        try:
            made = services.register(event, applicant)
        except services.RegistrationError as refused:
            assert str(refused)
            if isinstance(refused, services.InvalidRegistration):
                assert refused.errors and all(refused.errors.values())
            return
        db.session.expire_all()
        stored = db.session.get(Registration, made.id)
        assert (stored.name, stored.email, stored.affiliation, stored.answers) == \
               (made.name, made.email, made.affiliation, made.answers)
        assert _valid_unicode([stored.name, stored.email, stored.affiliation, stored.answers])
        assert not any(text_problem(text) for text in (stored.name, stored.email, stored.affiliation))

    register()


def test_any_answers_are_refused_by_question_or_cleaned(app, event):
    @SETTINGS
    @given(answers=_answers(event))
    def clean(answers):
        try:
            cleaned = clean_answers(event.questions, answers)
        except InvalidAnswers as refused:
            assert refused.errors and all(isinstance(m, list) and m for m in refused.errors.values())
            return
        assert _valid_unicode(cleaned)
        assert set(cleaned) <= {q.field_name for q in event.questions}

    clean()


def test_any_body_posted_to_the_api_gets_an_answer_below_500(app, event):
    client = app.test_client()
    url = f"/api/v1/events/{event.slug}/registrations"
    fields = st.fixed_dictionaries({}, optional={
        "name": ANY_JSON, "email": ANY_JSON, "affiliation": ANY_JSON, "country": ANY_JSON,
        "category": ANY_JSON, "answers": _answers(event), "consent": ANY_JSON, "locale": ANY_JSON,
    })
    bodies = st.one_of(
        fields.map(lambda changes: {**registration_body(1), **changes}),
        ANY_JSON,
        st.binary(max_size=200),
    )

    text_id, number_id = (str(q.id) for q in event.questions if q.kind in (QuestionKind.text,
                                                                           QuestionKind.number))
    known_bad = [  # what once got a 500, so every run tries them whatever Hypothesis draws
        registration_body(1, name="Li \ud800Wei"),
        registration_body(1, answers={text_id: "caf\ud800e"}),
        registration_body(1, answers={number_id: float("nan")}),
        registration_body(1, answers={number_id: float("inf")}),
        *(json.dumps(registration_body(1))[:-1].encode() + f', "answers": {{"{number_id}": {raw}}}}}'.encode()
          for raw in ("1e400", "9" * 5000)),
        b"[" * 3000 + b"]" * 3000,
    ]

    @SETTINGS
    @given(body=bodies)
    @examples(known_bad)
    def post(body):
        if isinstance(body, bytes):
            response = client.post(url, data=body, content_type="application/json")
        else:
            # allow_nan: NaN and Infinity go out as the bare words some clients send
            response = client.post(url, data=json.dumps(body), content_type="application/json")
        assert response.status_code < 500, response.get_data(as_text=True)
        if response.status_code >= 400:
            assert response.json["errors"]
        db.session.execute(sa.delete(Registration))
        db.session.commit()

    post()
