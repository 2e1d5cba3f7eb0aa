"""Every page under /manage/ is closed to the wrong people: walked route by route.

The routes are read from the app itself, so a new route is walked without anyone
remembering to add it here, and one without an access rule fails below.
"""

import pytest
import sqlalchemy as sa

from eventsys import create_app
from eventsys.database import db
from eventsys.manage.access import Access
from tests.factories import csrf_token, make_event, make_organiser, sign_in
from tests.world import build_world, url_of


def _manage_rules():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/manage/"):
            view = app.view_functions[rule.endpoint]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                rules.append(pytest.param(rule.rule, rule.endpoint, method, getattr(view, "access", None),
                                          id=f"{method} {rule.rule}"))
    return rules


RULES = _manage_rules()


def test_the_walk_sees_the_workspace():
    assert len(RULES) > 20


@pytest.mark.parametrize(("rule", "endpoint", "method", "access"), RULES)
def test_every_manage_route_refuses_strangers_and_serves_its_organiser(app, rule, endpoint, method, access):
    assert access in set(Access), f"{endpoint} has no access decorator (event_page, office_page, admin_page)"
    if access is Access.event:
        assert "<int:event_id>" in rule, f"{endpoint} is an event page without <int:event_id> in its URL"

    world = build_world()
    url = url_of(rule, world.ids)
    outsider_event = make_event(title="Another Forum")
    make_organiser("stranger@example.org", outsider_event)
    make_organiser("head@example.org", admin=True)

    def call(client, signed_in=True):
        token_page = "/manage/" if signed_in else "/login"
        data = {"csrf_token": csrf_token(client, token_page)} if method == "POST" else None
        return client.open(url, method=method, data=data)

    anonymous = app.test_client()
    answer = call(anonymous, signed_in=False)
    assert answer.status_code == 302 and answer.location.startswith("/login?next="), answer.status_code

    stranger = app.test_client()
    sign_in(stranger, "stranger@example.org")
    expected_for_stranger = 403 if access in (Access.event, Access.admin) else None
    answer = call(stranger)
    if expected_for_stranger:
        assert answer.status_code == expected_for_stranger
    else:
        assert answer.status_code < 500 and answer.status_code not in (401, 403)

    rightful = app.test_client()
    sign_in(rightful, "head@example.org" if access is Access.admin else world.organiser_email)
    answer = call(rightful)
    assert answer.status_code < 500, answer.get_data(as_text=True)[:2000]
    if method == "GET":
        assert answer.status_code == 200, (answer.status_code, answer.location)
    else:
        assert answer.status_code not in (401, 403) and "/login" not in (answer.location or "")


def test_an_organiser_reaches_another_event_s_pages_only_once_made_its_manager(app):
    from eventsys.accounts.services import add_manager

    world = build_world()
    stranger = make_organiser("stranger@example.org")
    client = app.test_client()
    sign_in(client, "stranger@example.org")
    page = f"/manage/events/{world.ids['event_id']}"
    assert client.get(page).status_code == 403
    add_manager(world.ids["event_id"], stranger)
    db.session.commit()
    assert client.get(page).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("event_manager"))) == 2
