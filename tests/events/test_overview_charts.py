"""An organiser opens an event's overview and sees its registrations day by day and by country."""

import re
from datetime import UTC, datetime, time, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.events.svg_charts import Bar, columns_with_line, horizontal_bars
from eventsys.registration import services
from tests.conftest import both_databases
from tests.factories import applicant, make_event, make_organiser, sign_in
from tests.querycount import counting_statements

HARBIN = ZoneInfo("Asia/Shanghai")


class _Tables(HTMLParser):
    """The rows of each table of a page, keyed by the id of the figure around it."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._figure = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "figure":
            self._figure = attributes.get("id")
        elif tag == "tr" and self._figure:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables.setdefault(self._figure, []).append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def _tables(html: str) -> dict[str, list[list[str]]]:
    reader = _Tables()
    reader.feed(html)
    return reader.tables


def _harbin(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Harbin, day_offset days from today there, as UTC."""
    today = utcnow().astimezone(HARBIN).date()
    local = datetime.combine(today + timedelta(days=day_offset), time(hour, minute), HARBIN)
    return local.astimezone(UTC)


def _register(event, number: int, country: str, at: datetime):
    return services.register(event, applicant(number, country=country), now=at)


def _overview(client, event):
    make_organiser("li.wei@example.org", event)
    sign_in(client, "li.wei@example.org")
    return client.get(f"/manage/events/{event.id}")


@both_databases
def test_the_overview_counts_registrations_by_the_day_where_the_event_is(client):
    event = make_event(timezone="Asia/Shanghai")
    # Three register the day before yesterday, in Harbin: one at 01:30 there, still the evening
    # before in UTC, so counting by UTC days would put them on two days.
    _register(event, 1, "RU", _harbin(-2, 1, 30))
    _register(event, 2, "RU", _harbin(-2, 9))
    _register(event, 3, "CN", _harbin(-2, 23, 50))
    # Nobody yesterday; two today.
    _register(event, 4, "RU", _harbin(0, 0, 10))
    _register(event, 5, "DE", _harbin(0, 0, 20))

    page = _overview(client, event)

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    days = _tables(html)["registrations-by-day"]
    assert days[0] == ["Day (Beijing (Asia/Shanghai))", "Registered that day", "In all so far"]
    assert [row[1:] for row in days[1:]] == [["3", "3"], ["0", "3"], ["2", "5"]]
    first_day = _harbin(-2, 12).astimezone(HARBIN).date()
    assert days[1][0] == f"{first_day:%b} {first_day.day}, {first_day.year}"  # English's medium date
    assert 'role="img"' in html and "<title>Registrations over time</title>" in html
    assert re.search(r'aria-label="5 registrations from [^"]+ \(Beijing \(Asia/Shanghai\)\); '
                     r'the most in one day: 3 on [^"]+"', html)
    countries = _tables(html)["registrations-by-country"]
    assert countries[1:] == [["Russian Federation", "3"], ["China", "1"], ["Germany", "1"]]


def test_countries_are_named_in_the_language_of_the_page(client):
    event = make_event()
    for number, country in enumerate(["RU", "RU", "CN", "KZ"], start=1):
        _register(event, number, country, utcnow() - timedelta(hours=number))
    make_organiser("li.wei@example.org", event)
    sign_in(client, "li.wei@example.org")
    client.get("/language/ru")

    html = client.get(f"/manage/events/{event.id}").get_data(as_text=True)

    countries = _tables(html)["registrations-by-country"][1:]
    assert countries == [["Россия", "2"], ["Казахстан", "1"], ["Китай", "1"]]
    assert ">Россия</text>" in html  # the bar's own label, drawn in the page's language


def test_the_ten_countries_with_most_registrations_are_drawn_and_the_rest_added_up(client):
    event = make_event(capacity=None)
    codes = ["RU"] * 3 + ["CN"] * 2 + ["BY", "KZ", "DE", "FR", "IT", "ES", "IN", "BR", "JP", "KR", "MN"]
    for number, country in enumerate(codes, start=1):
        _register(event, number, country, utcnow() - timedelta(minutes=number))

    countries = _tables(_overview(client, event).get_data(as_text=True))["registrations-by-country"][1:]

    assert len(countries) == 11
    assert countries[:2] == [["Russian Federation", "3"], ["China", "2"]]
    assert countries[-1] == ["Other countries", "3"]  # the eleventh to thirteenth, alphabetically last


def test_an_event_nobody_registered_for_says_so_instead_of_drawing_empty_charts(client):
    event = make_event()

    html = _overview(client, event).get_data(as_text=True)

    assert "No registrations yet" in html
    assert "<svg" not in html


def test_cancelled_registrations_are_left_out_of_both_charts(client):
    event = make_event()
    _register(event, 1, "RU", utcnow() - timedelta(hours=1))
    gone = _register(event, 2, "CN", utcnow() - timedelta(hours=1))
    services.cancel_registration(gone.id)

    tables = _tables(_overview(client, event).get_data(as_text=True))

    assert tables["registrations-by-country"][1:] == [["Russian Federation", "1"]]
    assert tables["registrations-by-day"][-1][1:] == ["1", "1"]


@both_databases
def test_the_overview_reads_as_many_statements_for_many_registrations_as_for_one(client):
    event = make_event(capacity=None)
    event_id, page = event.id, f"/manage/events/{event.id}"
    _register(event, 1, "RU", utcnow() - timedelta(days=3))
    make_organiser("li.wei@example.org", event)
    sign_in(client, "li.wei@example.org")
    client.get(page)  # the first view warms what is made once per process
    db.session.remove()  # each view starts from nothing loaded, as a request of its own does
    with counting_statements() as for_one:
        client.get(page)
    event = db.session.get(Event, event_id)
    for number, country in enumerate(["CN", "DE", "FR", "RU", "IN", "JP", "BR"], start=2):
        _register(event, number, country, utcnow() - timedelta(days=number % 4, hours=number))
    db.session.remove()
    with counting_statements() as for_eight:
        shown = client.get(page)

    assert "Japan" in shown.get_data(as_text=True)
    assert len(for_eight) == len(for_one)


def test_a_label_is_written_into_the_drawing_as_text_never_as_markup():
    hostile = '<script>alert("x")</script>'
    bars = [Bar(hostile, 3, "3", f"{hostile}: 3")]

    drawn = str(horizontal_bars(bars, label=hostile, title=hostile))
    drawn_days = str(columns_with_line(bars, [3], label=hostile, title=hostile))

    for svg in (drawn, drawn_days):
        assert "<script>" not in svg
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in svg or "&lt;script&gt;" in svg


def test_the_drawing_scales_to_a_phone():
    svg = str(horizontal_bars([Bar("Россия", 3, "3", "Россия: 3"), Bar("中国", 1, "1", "中国: 1")],
                              label="x", title="x"))

    assert re.match(r'<svg [^>]*viewBox="0 0 480 \d+"', svg)
    assert "width=" not in svg.split(">")[0]  # no fixed size: charts.css makes it 100% wide
    assert ">Россия</text>" in svg and ">中国</text>" in svg
