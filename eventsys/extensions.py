"""Flask extensions, created unbound here and bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from eventsys.database import db
from eventsys.errors import ErrorsSchema
from eventsys.public_limits import not_public, public_page_limit

__all__ = ["db", "migrate", "csrf", "api", "login_manager", "limiter"]


class EventsysApi(Api):
    """flask-smorest's Api, minus its app-wide JSON error handler: HTML pages keep HTML errors."""

    #: the shape eventsys.errors gives every API error, so the OpenAPI document states it
    ERROR_SCHEMA = ErrorsSchema

    def _register_error_handlers(self):
        """eventsys.errors handles errors for the API and the pages alike."""


migrate = Migrate()
csrf = CSRFProtect()
api = EventsysApi()
login_manager = LoginManager()
#: every public route counted per address (public_limits.py); routes with their own limit replace it
limiter = Limiter(key_func=get_remote_address, default_limits=[public_page_limit],
                  default_limits_exempt_when=not_public)
