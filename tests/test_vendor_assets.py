"""The browser libraries installed from npm are served by name, and nothing else from node_modules is."""


def test_the_qr_reader_is_served_and_nothing_else_of_node_modules(client):
    answer = client.get("/static/vendor/jsQR.js")
    assert answer.status_code == 200, "make setup installs jsqr with npm ci"
    assert answer.mimetype == "text/javascript"
    assert b"jsQR" in answer.data
    for name in ("package.json", "..%2Fpackage.json", "jsqr", ".package-lock.json"):
        assert client.get(f"/static/vendor/{name}").status_code == 404, name
    assert client.get("/static/js/desk-camera.js").status_code == 200, "the site's own files are still served"
