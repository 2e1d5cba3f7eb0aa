"""Headers every answer carries: a Content-Security-Policy no inline script gets past, and HSTS over HTTPS.

Every GET page the app has is walked, so a template that brings back an inline
<script> or an on...= handler (both blocked by the policy) fails here, not in a browser.
"""

import re

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.registration.models import Registration
from tests.factories import make_organiser, sign_in
from tests.world import build_world

#: a <script> element without a src attribute
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
#: an event handler attribute such as onsubmit="..." (the policy blocks these too)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def _directives(header: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def _get_pages(app) -> list[str]:
    """Every GET route, its parameters filled from a world of one of everything."""
    world = build_world()
    event = db.session.get(Event, world.ids["event_id"])
    token = db.session.scalar(
        sa.select(Registration.token).where(Registration.id == world.ids["registration_id"]))
    filled = {**{f"<int:{k}>": str(v) for k, v in world.ids.items()}, "<slug:slug>": event.slug,
              "<token>": token}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = rule.rule
        for name, value in filled.items():
            url = url.replace(name, value)
        if "<" not in url:
            urls.append(url)
    return sorted(set(urls))


def test_every_page_has_a_policy_without_inline_script_and_no_inline_script(app, client):
    pages = _get_pages(app)
    assert len(pages) > 30
    make_organiser("head@example.org", admin=True)
    visitor = app.test_client()
    sign_in(client, "head@example.org")
    for url in pages:
        for who in (visitor, client):
            answer = who.get(url)
            policy = _directives(answer.headers.get("Content-Security-Policy", ""))
            assert policy.get("script-src") in (["'self'"], None) and "default-src" in policy, url
            assert "'unsafe-inline'" not in policy.get("script-src", policy["default-src"]), url
            assert policy.get("frame-ancestors") == ["'none'"] or policy["default-src"] == ["'none'"], url
            if answer.mimetype == "text/html":
                html = answer.get_data(as_text=True)
                assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))
                assert not INLINE_HANDLER.search(html), (url, INLINE_HANDLER.search(html).group(0))


def test_the_scripts_the_pages_name_are_served_by_the_app(app, client):
    make_organiser("head@example.org", admin=True)
    sign_in(client, "head@example.org")
    world = build_world()
    pages = ["/", "/manage/events/new", f"/manage/events/{world.ids['event_id']}/checkin",
             f"/manage/events/{world.ids['event_id']}/registrations/{world.ids['registration_id']}"]
    sources = set()
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        sources.update(re.findall(r'<script[^>]*\bsrc="([^"]+)"', html))
    assert len(sources) >= 3
    for source in sources:
        script = client.get(source)
        assert script.status_code == 200 and script.mimetype in ("text/javascript", "application/javascript")


@pytest.mark.parametrize("secure", [False, True])
def test_hsts_is_sent_only_when_the_site_is_served_over_https(app, client, secure):
    app.config["SESSION_COOKIE_SECURE"] = secure
    answer = client.get("/", base_url="https://events.test" if secure else "http://events.test")
    if secure:
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    else:
        assert "Strict-Transport-Security" not in answer.headers
