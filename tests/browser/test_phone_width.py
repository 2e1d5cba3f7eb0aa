"""Every organiser page on a 390-pixel phone: nothing wider than the screen, a screenshot of each.

The pages are found from the app's own routes, so a page added later is measured too;
a route with a part this test cannot fill fails the test, naming the part to add to
PARTS. Wide content (tables, code) must scroll inside its own box, never the page.
Screenshots land in test-artifacts/phone/.
"""

import re

import sqlalchemy as sa
from flask import url_for
from playwright.sync_api import expect

from eventsys.database import db
from eventsys.demo.seed import seed_demo
from eventsys.events.models import Event
from eventsys.webhooks.services import create_endpoint
from tests.browser.conftest import ARTIFACTS
from tests.factories import ORGANISER_PASSWORD, make_organiser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
#: the routes of the signed-in workspace
WORKSPACE = ("manage.", "apitokens.", "accounts.change_password", "accounts.change_language")
#: routes that answer a file or data, not a page to look at
NOT_PAGES = re.compile(r"\.(csv|xlsx|pdf|json|ics|png|jpg)$|/counts$|/frame$|/body$")
#: each part of a workspace URL, and the model whose first row fills it (with that row's own event)
PARTS = {
    "registration_id": "eventsys.registration.models.Registration",
    "item_id": "eventsys.events.models.ProgrammeItem",
    "question_id": "eventsys.registration.models.Question",
    "speaker_id": "eventsys.speakers.models.Speaker",
    "institution_id": "eventsys.speakers.models.Institution",
    "engagement_id": "eventsys.speakers.models.Engagement",
    "message_id": "eventsys.messages.models.Mailing",
    "mailing_id": "eventsys.messages.models.Mailing",
    "letter_id": "eventsys.visas.models.VisaLetter",
    "endpoint_id": "eventsys.webhooks.models.WebhookEndpoint",
    "email_id": "eventsys.mail.models.OutboundEmail",
    "token_id": "eventsys.apitokens.models.ApiToken",
    "invitation_id": "eventsys.invitations.models.Invitation",
}


def _model(dotted: str):
    module, name = dotted.rsplit(".", 1)
    return getattr(__import__(module, fromlist=[name]), name)


def _first(model, *where):
    return db.session.scalars(sa.select(model).where(*where).order_by(model.id).limit(1)).first()


def richest_event() -> int:
    """The demo event with rows of the most kinds: its pages show the most."""
    kinds = [model for model in map(_model, PARTS.values()) if "event_id" in model.__table__.columns]
    return max(db.session.scalars(sa.select(Event.id).order_by(Event.id)),
               key=lambda event_id: sum(_first(model, model.event_id == event_id) is not None
                                        for model in kinds))


def parts_of(arguments: set[str], event_id: int) -> dict[str, int] | None:
    """Values for a route's parts: a row of what each names, with its own event; None if one is unknown."""
    values = {}
    for name in sorted(arguments - {"event_id"}):
        if name not in PARTS:
            return None
        model = _model(PARTS[name])
        of_event = "event_id" in arguments and "event_id" in model.__table__.columns
        row = _first(model, model.event_id.is_not(None)) if of_event else _first(model)
        assert row is not None, f"the demo has no {model.__name__}: make one in the test"
        values[name] = row.id
        if of_event:
            event_id = row.event_id
    return values | ({"event_id": event_id} if "event_id" in arguments else {})


def workspace_urls(app) -> list[str]:
    """Every page of the workspace, its parts filled in."""
    urls, unknown, event_id = set(), set(), richest_event()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.endpoint.startswith(WORKSPACE):
            continue
        if NOT_PAGES.search(rule.rule):
            continue
        values = parts_of(set(rule.arguments), event_id)
        if values is None:
            unknown.add(rule.rule)
            continue
        with app.test_request_context():
            urls.add(url_for(rule.endpoint, **values))
    assert not unknown, f"add the parts of these URLs to PARTS: {sorted(unknown)}"
    return sorted(urls)


def test_every_workspace_page_fits_a_phone(app, live_server, browser):
    seed_demo()
    admin = make_organiser("admin@example.org", admin=True)
    create_endpoint(admin, "https://93.184.215.14/hooks", ["registration.created"], None)  # the demo has none
    urls = workspace_urls(app)
    assert len(urls) > 25, urls

    context = browser.new_context(locale="en-GB", timezone_id="Asia/Shanghai", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("admin@example.org")
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
