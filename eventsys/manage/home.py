"""The workspace's first page: the events this organiser manages, those coming first, those over apart."""

from datetime import datetime

from flask import render_template
from flask_login import current_user

from eventsys.accounts.services import managed_events
from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.manage import bp
from eventsys.manage.access import office_page


def coming_and_past(events: list[Event], now: datetime) -> tuple[list[Event], list[Event]]:
    """Running and upcoming events, soonest first; then those that have ended, the latest first.

    Split here, from the one query of managed_events, so the page costs the same
    few queries however many events there are.
    """
    coming = sorted((e for e in events if e.ends_at >= now), key=lambda e: (e.starts_at, e.id))
    past = sorted((e for e in events if e.ends_at < now), key=lambda e: (e.ends_at, e.id), reverse=True)
    return coming, past


@bp.get("/")
@office_page
def home():
    """Upcoming and running events first, soonest first; past ones below; each with its seat counts."""
    now = utcnow()
    coming, past = coming_and_past(list(db.session.scalars(managed_events(current_user))), now)
    return render_template("manage/home.html", events=coming, past_events=past, now=now)
