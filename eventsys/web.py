"""The HTML side of the app: blueprints, the slug converter and template helpers."""

from flask import Flask, Response
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


def _protective_headers(response: Response) -> Response:
    """Headers every answer carries: self-service links must not leak to other sites as a Referer."""
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def register_web(app: Flask) -> None:
    """Register the page blueprints and what their templates use."""
    app.url_map.converters["slug"] = SlugConverter
    app.response_class = PageResponse
    app.after_request(_protective_headers)

    from eventsys.accounts.views import bp as accounts_bp
    from eventsys.events.views import bp as events_bp
    from eventsys.manage import bp as manage_bp
    from eventsys.registration.views import bp as registration_bp
    from eventsys.speakers.views import bp as speakers_bp

    app.register_blueprint(events_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(speakers_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(manage_bp)

    app.add_template_filter(timezones.in_zone, "in_zone")
    app.add_template_filter(timezones.time_in_zone, "time_in_zone")
    app.add_template_filter(timezones.date_in_zone, "date_in_zone")
    app.add_template_filter(country_name, "country_name")
