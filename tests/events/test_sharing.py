"""Sharing an event: the link preview a chat app shows, the map, and what a full event offers."""

import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from PIL import Image

from eventsys.database import db
from eventsys.events.models import EventMode
from eventsys.registration import services
from tests.factories import applicant, make_event
from tests.querycount import counting_statements


class _Head(HTMLParser):
    """The <meta> and <link> tags of a page, and its links by id, as a preview robot reads them."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, str] = {}
        self.anchors: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta":
            key = attributes.get("property") or attributes.get("name")
            if key:
                self.meta.setdefault(key, []).append(attributes.get("content") or "")
        if tag == "link" and attributes.get("rel"):
            self.links[attributes["rel"]] = attributes.get("href") or ""
        if tag == "a" and attributes.get("id"):
            self.anchors[attributes["id"]] = attributes


def _read(html: str) -> _Head:
    head = _Head()
    head.feed(html)
    return head


#: Saturday 27 March 2027, 10:00 in Harbin
STARTS = datetime(2027, 3, 27, 2, 0, tzinfo=UTC)


def test_a_shared_event_link_previews_with_title_summary_zoned_date_and_a_card(client):
    event = make_event(title="Smart Materials Conference", summary="Shape-memory polymers in orbit.",
                       starts_at=STARTS, ends_at=STARTS + timedelta(days=2))
    head = _read(client.get(f"/events/{event.slug}").get_data(as_text=True))
    page_url = f"http://events.test/events/{event.slug}"
    assert head.links["canonical"] == page_url
    assert head.meta["description"] == ["Shape-memory polymers in orbit."]
    assert head.meta["og:title"] == ["Smart Materials Conference"]
    assert head.meta["og:type"] == ["website"]
    assert head.meta["og:url"] == [page_url]
    assert head.meta["og:locale"] == ["en_US"]
    [description] = head.meta["og:description"]
    assert description.startswith("Shape-memory polymers in orbit.")
    assert "Sat, 27 Mar 2027, 10:00 Beijing time (GMT+08:00)" in description
    [image] = head.meta["og:image"]
    assert image.startswith(f"http://events.test/events/{event.slug}/card.png?")
    assert head.meta["twitter:card"] == ["summary_large_image"]
    assert head.meta["twitter:image"] == [image]

    card = client.get(image.removeprefix("http://events.test"))
    assert card.status_code == 200 and card.mimetype == "image/png"
    assert "max-age" in card.headers["Cache-Control"]
    with Image.open(io.BytesIO(card.data)) as picture:
        assert picture.format == "PNG" and picture.size == (1200, 630)


def test_the_preview_is_in_the_reader_s_language(client):
    event = make_event(starts_at=STARTS, ends_at=STARTS + timedelta(hours=3))
    client.get("/language/ru")
    head = _read(client.get(f"/events/{event.slug}").get_data(as_text=True))
    assert head.meta["og:locale"] == ["ru_RU"]
    [description] = head.meta["og:description"]
    assert "10:00" in description and "GMT+08:00" in description and "мар" in description
    [image] = head.meta["og:image"]
    assert "lang=ru" in image
    assert client.get(image.removeprefix("http://events.test")).mimetype == "image/png"


def test_without_a_summary_the_description_is_the_start_of_the_description(client):
    event = make_event(summary="", description="A long story. " * 40)
    [description] = _read(client.get(f"/events/{event.slug}").get_data(as_text=True)).meta["description"]
    assert description.startswith("A long story. A long story.") and description.endswith("…")
    assert len(description) <= 200


def test_markup_in_a_title_stays_text_in_the_preview(client):
    event = make_event(title='"><script>alert(1)</script>')
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert _read(html).meta["og:title"] == ['"><script>alert(1)</script>']


def test_the_card_of_a_draft_is_not_found(client):
    draft = make_event(status="draft")
    assert client.get(f"/events/{draft.slug}/card.png").status_code == 404


def test_a_venue_has_a_map_link_opening_in_a_new_tab(client):
    event = make_event(venue="Main Building & Hall 2, Harbin")
    head = _read(client.get(f"/events/{event.slug}").get_data(as_text=True))
    link = head.anchors["map-link"]
    assert link["href"] == "https://www.openstreetmap.org/search?query=Main%20Building%20%26%20Hall%202%2C%20Harbin"
    assert link["target"] == "_blank" and "noopener" in link["rel"]


def test_an_online_event_shows_no_map(client):
    event = make_event(mode=EventMode.online, venue="")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "openstreetmap" not in html


def test_a_full_event_invites_to_join_the_waiting_list_and_the_home_page_says_full(client):
    full = make_event(title="Full Forum", capacity=1)
    services.register(full, applicant(1))
    open_one = make_event(title="Roomy Lecture", capacity=40)
    page = client.get(f"/events/{full.slug}").get_data(as_text=True)
    assert "Join the waiting list" in page
    form = client.get(f"/events/{full.slug}/register").get_data(as_text=True)
    assert "registering puts you on the waiting list" in form and "Join the waiting list" in form

    assert "Join the waiting list" not in client.get(f"/events/{open_one.slug}").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    full_card = home[home.index("Full Forum"):home.index("Roomy Lecture")]
    assert "Full" in full_card.replace("Full Forum", "") and "Waiting list open" in full_card
    assert "0 of 1 seats left" not in home
    assert "40 of 40 seats left" in home


def test_a_full_event_whose_registration_closed_is_full_without_a_waiting_list(client):
    closed = make_event(title="Closed Forum", capacity=1)
    services.register(closed, applicant(1))
    closed.registration_closes_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "badge-full" in home and "Waiting list open" not in home


def test_the_home_page_asks_the_same_number_of_queries_for_one_event_or_many(client):
    first = make_event(capacity=1)
    services.register(first, applicant(1))
    client.get("/")
    with counting_statements() as one:
        assert client.get("/").status_code == 200
    for number in range(2, 6):
        crowded = make_event(capacity=1)
        services.register(crowded, applicant(number))
        make_event(capacity=None)
    with counting_statements() as many:
        html = client.get("/").get_data(as_text=True)
    assert html.count("badge-full") == 5
    assert len(many) == len(one)
