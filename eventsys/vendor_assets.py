"""Browser libraries from the npm registry, served from where `make setup` installed them.

They are not copied into the repository: package.json pins them, package-lock.json
holds their checksums, and `npm ci` (run by `make setup` and the Dockerfile) puts
them in node_modules/. Only the files named here are served, so nothing else in
node_modules is reachable from the web.
"""

from pathlib import Path

from flask import Blueprint, abort, current_app, send_file

bp = Blueprint("vendor", __name__, url_prefix="/static/vendor")

#: what the pages load, and where npm put it (relative to node_modules/)
ASSETS = {
    # The check-in desk reads QR codes from the phone's camera (static/js/desk-camera.js).
    "jsQR.js": "jsqr/dist/jsQR.js",
}


def node_modules() -> Path:
    """Where `npm ci` installed the browser libraries: beside the package, or VENDOR_DIR."""
    configured = current_app.config.get("VENDOR_DIR")
    return Path(configured) if configured else Path(current_app.root_path).parent / "node_modules"


@bp.get("/<name>")
def asset(name: str):
    """One allowed library file, cached for a day (its name has no version: a day bounds a stale copy)."""
    relative = ASSETS.get(name)
    path = node_modules() / relative if relative else None
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype="text/javascript", max_age=86400)
