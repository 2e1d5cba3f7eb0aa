"""The HTML side of the app: blueprints, the slug converter and template helpers."""

from datetime import datetime

from flask import Flask, Response, current_app
from markupsafe import Markup
from werkzeug.routing import BaseConverter

from eventsys import timezones
from eventsys.countries import country_name
from eventsys.textrules import displayable


class PageResponse(Response):
    """Flask's response, whose text body can always be encoded.

    textrules keeps lone surrogates out of what is stored now, but a row stored before
    could hold one, and UTF-8 cannot encode it: shown as U+FFFD, the page still opens.
    """

    def set_data(self, value: bytes | str) -> None:
        """Encode text as UTF-8, a lone surrogate as the replacement character."""
        super().set_data(displayable(value) if isinstance(value, str) else value)


class SlugConverter(BaseConverter):
    """Lower-case words joined by hyphens, so /events/<slug>.ics is not read as a slug."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


#: what a page may load. Scripts only from our own files (eventsys/static/js): a name or note that
#: slipped past escaping could then not run. Styles keep 'unsafe-inline': the <style> blocks and
#: style="" attributes of many templates would otherwise all have to move, and CSS cannot run code;
#: Jinja escapes every user text, so no one but us writes a style. The QR code is inline <svg>,
#: not an image, so images need nothing beyond 'self'.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
#: a year: browsers that once saw the site over HTTPS keep using HTTPS (no includeSubDomains:
#: other hosts of the school's domain are not ours to decide for)
HSTS = "max-age=31536000"


def _protective_headers(response: Response) -> Response:
    """Headers every answer carries: self-service links must not leak to other sites as a Referer."""
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # setdefault: a view that sets a stricter policy (the QR image's "default-src 'none'") keeps it.
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    # Only where the site is served over HTTPS, which SESSION_COOKIE_SECURE declares: HSTS sent
    # over plain HTTP to a site without a certificate would lock browsers out of it.
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def time_element(moment: datetime | None, zone_name: str) -> Markup:
    """in_zone inside <time data-local>: the page then adds the reader's own clock (local-times.js)."""
    if moment is None:
        return Markup("")
    return Markup('<time datetime="{}" data-local data-zone="{}">{}</time>').format(
        moment.isoformat(), zone_name, timezones.in_zone(moment, zone_name))


def register_web(app: Flask) -> None:
    """Register the page blueprints and what their templates use."""
    app.url_map.converters["slug"] = SlugConverter
    app.response_class = PageResponse
    app.after_request(_protective_headers)

    from eventsys.accounts.views import bp as accounts_bp
    from eventsys.apitokens.views import bp as apitokens_bp
    from eventsys.certificates.views import bp as certificates_bp
    from eventsys.events.views import bp as events_bp
    from eventsys.invitations.views import bp as invitations_bp
    from eventsys.language_switch import bp as language_bp
    from eventsys.manage import bp as manage_bp
    from eventsys.registration.views import bp as registration_bp
    from eventsys.speakers.pages import bp as speaker_pages_bp
    from eventsys.speakers.views import bp as speakers_bp
    from eventsys.vendor_assets import bp as vendor_bp
    from eventsys.visas.views import bp as visas_bp

    app.register_blueprint(events_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(speakers_bp)
    app.register_blueprint(speaker_pages_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(apitokens_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(language_bp)
    app.register_blueprint(visas_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(vendor_bp)
    app.register_blueprint(certificates_bp)

    app.add_template_filter(timezones.in_zone, "in_zone")
    app.add_template_filter(time_element, "local_time")
    app.add_template_filter(timezones.place_of, "place_of")
    app.add_template_filter(timezones.in_zones, "in_zones")
    app.add_template_filter(timezones.time_in_zone, "time_in_zone")
    app.add_template_filter(timezones.date_in_zone, "date_in_zone")
    app.add_template_filter(timezones.day_range, "day_range")
    app.add_template_filter(country_name, "country_name")
