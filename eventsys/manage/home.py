"""The workspace's first page: the events this organiser manages."""

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user

from eventsys.accounts.services import managed_events_filter
from eventsys.database import db
from eventsys.events.models import Event
from eventsys.manage import bp
from eventsys.manage.access import office_page


@bp.get("/")
@office_page
def home():
    """Upcoming events first, then past ones; each with its seat counts."""
    events = db.session.scalars(
        sa.select(Event).where(managed_events_filter(current_user)).order_by(Event.starts_at.desc())
    ).all()
    return render_template("manage/home.html", events=events)

