"""Every organiser page on a 390-pixel phone: nothing wider than the screen, a screenshot of each.

The pages are found from the app's own routes, so a page added later is measured too,
with its parts filled from tests/world.py (one of everything). Wide content (tables,
code) must scroll inside its own box, never the page.
Screenshots land in test-artifacts/phone/.
"""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from eventsys.accounts.models import User
from eventsys.database import db
from eventsys.demo.seed import seed_demo
from tests.browser.conftest import ARTIFACTS
from tests.factories import ORGANISER_PASSWORD
from tests.world import build_world, url_of

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
#: the routes of the signed-in workspace
WORKSPACE = ("manage.", "apitokens.", "accounts.change_password", "accounts.change_language")
#: routes that answer a file or data, not a page to look at
NOT_PAGES = re.compile(r"\.(csv|xlsx|pdf|json|ics|png|jpg)$|/counts$|/html$|/badge$|/badges\.pdf$")


def workspace_urls(app, ids: dict[str, int]) -> list[str]:
    """Every page of the workspace, its parts filled with the world's objects (tests/world.py)."""
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint.startswith(WORKSPACE) and not NOT_PAGES.search(rule.rule):
            urls.add(url_of(rule.rule, ids))
    return sorted(urls)


def test_every_workspace_page_fits_a_phone(app, live_server, browser):
    world = build_world()  # one of everything a URL can name
    seed_demo()  # and the demo year fills the lists
    organiser = db.session.scalars(sa.select(User).where(User.email == world.organiser_email)).one()
    organiser.is_admin = True  # the office's pages too
    db.session.commit()
    urls = workspace_urls(app, world.ids)
    assert len(urls) > 40, urls

    context = browser.new_context(locale="en-GB", timezone_id="Asia/Shanghai", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(world.organiser_email)
    page.get_by_label("Password").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))

    shots = ARTIFACTS / "phone"
    shots.mkdir(parents=True, exist_ok=True)
    too_wide = {}
    for url in urls:
        answer = page.goto(live_server + url)
        assert answer.status == 200, f"{url}: {answer.status}"
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        page.screenshot(path=str(shots / f"{url.strip('/').replace('/', '_') or 'home'}.png"), full_page=True)
        wider = page.evaluate("document.documentElement.scrollWidth") - PHONE["viewport"]["width"]
        if wider > 0:
            too_wide[url] = wider
    context.close()
    assert too_wide == {}, f"pages wider than a 390-pixel phone (pixels too wide): {too_wide}"
