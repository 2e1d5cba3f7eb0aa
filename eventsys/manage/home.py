"""The workspace's first page: the events this organiser manages."""

from flask import render_template
from flask_login import current_user

from eventsys.accounts.services import managed_events
from eventsys.database import db
from eventsys.manage import bp
from eventsys.manage.access import office_page


@bp.get("/")
@office_page
def home():
    """Upcoming events first, then past ones; each with its seat counts."""
    events = db.session.scalars(managed_events(current_user)).all()
    return render_template("manage/home.html", events=events)

