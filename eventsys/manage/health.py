"""The warning banner on every organiser page when mail is not going out."""

from eventsys.mail.health import mail_health
from eventsys.manage import bp


@bp.app_context_processor
def _mail_health() -> dict:
    """Templates call mail_health() only where the banner is drawn: the workspace layout."""
    return {"mail_health": mail_health}
