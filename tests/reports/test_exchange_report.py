"""The exchange report counts what the office hosted, as a person would count it by hand."""

import pytest

from tests.conftest import both_databases
from tests.factories import make_organiser, sign_in
from tests.reports.activity import E1_AND_E4, SECOND_YEAR, THREE_YEARS, build_activity
from tests.reports.pages import read_report

REPORT = "/manage/reports/exchange"


def _three_years(activity) -> str:
    return f"{REPORT}?period=dates&start={activity.first_year}-01-01&end={activity.first_year + 2}-12-31"


def _figures(client, url: str) -> dict:
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    return read_report(page.get_data(as_text=True))


def _without_summary(figures: dict) -> dict:
    return {key: value for key, value in figures.items() if key != "summary"}


@both_databases
def test_every_figure_of_three_years_matches_a_count_by_hand(app, client):
    activity = build_activity()
    make_organiser("head@example.org", admin=True)
    sign_in(client, "head@example.org")

    figures = _figures(client, _three_years(activity))
    assert _without_summary(figures) == THREE_YEARS
    assert figures["summary"].startswith(
        "In this period the school hosted 4 international academic events (1 conference, 1 symposium, "
        "1 competition, and 1 lecture).")
    assert "3 foreign experts from 3 countries gave lectures or online lectures: 3 experts in person and " \
           "2 experts online." in figures["summary"]
    assert "13 attendees from 6 countries, 10 attendees of them from abroad" in figures["summary"]
    assert "3 partner institutions of the school; 2 new partners joined" in figures["summary"]
    assert "Nobel Laureate (1)" in figures["summary"]

    assert _without_summary(_figures(client, f"{REPORT}?period=year&year={activity.first_year + 1}")) \
        == SECOND_YEAR


@both_databases
def test_an_organiser_sees_the_figures_of_the_events_they_manage_only(app, client):
    activity = build_activity()
    make_organiser("mine@example.org", activity.events["e1"], activity.events["e4"])
    sign_in(client, "mine@example.org")
    page = client.get(_three_years(activity)).get_data(as_text=True)
    assert "The events you manage." in page
    assert _without_summary(read_report(page)) == E1_AND_E4


def test_the_first_view_covers_the_last_three_years_and_an_event_not_over_yet_counts_nowhere(app, client):
    activity = build_activity()
    make_organiser("head@example.org", admin=True)
    sign_in(client, "head@example.org")
    figures = _figures(client, REPORT)
    # The last three years reach back to this date three years ago: the first year's March event may be
    # before or after it, the competition of last October always within.
    assert figures["events"]["Competition"] == 1
    this_year = _figures(client, f"{REPORT}?period=year&year={activity.first_year + 3}")
    assert this_year["events"]["All kinds"] == 0
    assert this_year["attendees"]["Attendees"] == 0
    assert "hosted 0 international academic events." in this_year["summary"]


def test_the_page_states_its_definitions_and_its_period(app, client):
    make_organiser("head@example.org", admin=True)
    sign_in(client, "head@example.org")
    page = client.get(f"{REPORT}?period=year&year=2024").get_data(as_text=True)
    assert "From January 1, 2024 to December 31, 2024, both days included" in page
    assert "Beijing time" in page
    for definition in ("drafts and cancelled events are never counted",
                       "whom the organisers added without an invitation",
                       "an online lecture counts as online and every other role as in person",
                       "waiting, pending and cancelled registrations are not counted",
                       "whose country is not China, the host country"):
        assert definition in page


def test_the_host_country_is_a_setting(app, client):
    app.config["HOST_COUNTRY"] = "RU"
    activity = build_activity()
    make_organiser("head@example.org", admin=True)
    sign_in(client, "head@example.org")
    figures = _figures(client, _three_years(activity))
    # From Moscow's side: CN, DE and GB speakers are foreign, the Russian one is not.
    assert figures["experts"]["Foreign experts"] == 3
    assert figures["attendees"]["From abroad"] == 13 - 5


def test_the_workspace_menu_links_to_the_report(app, client):
    make_organiser("someone@example.org")
    sign_in(client, "someone@example.org")
    assert f'href="{REPORT}"' in client.get("/manage/").get_data(as_text=True)


@pytest.mark.parametrize("path", [REPORT, f"{REPORT}.pdf", f"{REPORT}.csv", f"{REPORT}.xlsx",
                                  f"{REPORT}/attendees-by-country.png"])
def test_strangers_are_sent_to_sign_in(app, client, path):
    answer = client.get(path)
    assert answer.status_code == 302 and answer.location.startswith("/login?next=")


@pytest.mark.parametrize(("language", "letters"), [("zh", r"[\u4e00-\u9fff]"), ("ru", r"[а-яА-Я]")])
def test_the_summary_is_written_in_the_pages_language(app, client, language, letters):
    import re

    activity = build_activity()
    make_organiser("head@example.org", admin=True)
    sign_in(client, "head@example.org")
    assert client.get(f"/language/{language}").status_code == 303  # the switch, as a person uses it
    summary = _figures(client, _three_years(activity))["summary"]
    assert re.search(letters, summary), summary
    assert "In this period" not in summary
    for number in ("4", "13", "10"):
        assert re.search(rf"(?<!\d){number}(?!\d)", summary), (number, summary)


def test_the_summary_follows_the_browsers_language_too(app, client):
    activity = build_activity()
    make_organiser("head@example.org", admin=True)
    sign_in(client, "head@example.org")
    page = client.get(_three_years(activity), headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    summary = read_report(page.get_data(as_text=True))["summary"]
    assert "Российская Федерация" in page.get_data(as_text=True) or "Россия" in page.get_data(as_text=True)
    assert "In this period" not in summary
