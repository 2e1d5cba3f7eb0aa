"""Every page the public can open is counted per address; the organisers' workspace is not."""

from tests.factories import make_event, make_organiser, sign_in


def test_a_visitor_hammering_a_public_page_is_told_to_wait_and_the_workspace_is_not_counted(app, client):
    app.config["PUBLIC_PAGE_RATE_LIMIT"] = "3 per minute"
    event = make_event(title="Forum on Space Law")
    make_organiser("office@example.org", event)
    for path in (f"/events/{event.slug}", f"/events/{event.slug}.ics", f"/events/{event.slug}/programme.ics",
                 "/", f"/events/{event.slug}/register", "/api/v1/events"):
        assert [client.get(path).status_code for _ in range(3)] == [200] * 3, path
        refused = client.get(path)
        assert refused.status_code == 429, path
        assert int(refused.headers["Retry-After"]) > 0, path

    sign_in(client, "office@example.org")
    for _ in range(6):
        assert client.get(f"/manage/events/{event.id}").status_code == 200
    assert client.get("/static/css/site.css").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)


def test_the_addresses_a_setting_exempts_are_not_counted(app, client):
    app.config["PUBLIC_PAGE_RATE_LIMIT"] = "1 per minute"
    app.config["RATELIMIT_EXEMPT_ADDRESSES"] = ["127.0.0.1"]
    event = make_event()
    assert {client.get(f"/events/{event.slug}").status_code for _ in range(3)} == {200}
