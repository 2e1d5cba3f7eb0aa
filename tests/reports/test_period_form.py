"""A bad period is told next to its field, never answered with a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_organiser, sign_in
from tests.formpage import read_form

REPORT = "/manage/reports/exchange"


@pytest.fixture
def head(client):
    make_organiser("head@example.org", admin=True)
    sign_in(client, "head@example.org")
    return client


OUT_OF_RANGE = "Enter a day from Jan 1, 1990 to Dec 31, 2100."


@pytest.mark.parametrize(("query", "field", "message"), [
    ("period=year&year=", "year", "Enter the year to report on."),
    ("period=year&year=twenty", "year", "Not a valid integer value."),
    ("period=year&year=1066", "year", "Enter a year from 1990 to 2100."),
    ("period=dates&start=&end=2025-01-01", "start", "Enter the first day of the period."),
    ("period=dates&start=2025-01-01", "end", "Enter the last day of the period."),
    ("period=dates&start=2025-02-30&end=2025-03-01", "start", "Not a valid date value."),
    ("period=dates&start=2025-05-01&end=2025-04-30", "end",
     "The last day cannot be before the first day (May 1, 2025)."),
    ("period=dates&start=0001-01-01&end=2025-01-01", "start", OUT_OF_RANGE),
    ("period=dates&start=2025-01-01&end=9999-12-31", "end", OUT_OF_RANGE),
    ("period=decade", "period", "Not a valid choice."),
])
def test_a_bad_period_is_explained_next_to_its_field(head, query, field, message):
    answer = head.get(f"{REPORT}?{query}")
    assert answer.status_code == 422
    form = read_form(answer.get_data(as_text=True))
    assert form.errors_by_field.get(field) == [message], form.errors_by_field
    assert "Correct the period above to see its report." in answer.get_data(as_text=True)


def test_the_fields_a_period_does_not_use_may_hold_anything(head):
    answer = head.get(f"{REPORT}?period=year&year=2024&start=garbage&end=2020-13-01")
    assert answer.status_code == 200
    assert read_form(answer.get_data(as_text=True)).errors_by_field == {}


def test_a_period_of_one_day_is_a_period(head):
    answer = head.get(f"{REPORT}?period=dates&start=2024-03-10&end=2024-03-10")
    assert answer.status_code == 200
    assert "From March 10, 2024 to March 10, 2024" in answer.get_data(as_text=True)


_values = st.one_of(st.text(max_size=12), st.dates().map(str), st.integers(-10**6, 10**6).map(str),
                    st.sampled_from(["year", "last3", "dates", ""]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["period", "year", "start", "end", "page"]), _values, max_size=4))
def test_no_query_string_makes_the_report_fail(head, query):
    answer = head.get(REPORT, query_string=query)
    assert answer.status_code in (200, 422), (query, answer.status_code)
    if answer.status_code == 422:
        assert read_form(answer.get_data(as_text=True)).errors_by_field
