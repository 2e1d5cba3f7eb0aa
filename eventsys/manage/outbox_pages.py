"""The outbox pages: the whole office's for admins, one event's for its organisers (routes of /manage/).

Both show the emails by state, since when the oldest due one waits, the last worker
heartbeat, and one state's emails 50 to a page, with buttons to send a failed or
cancelled email again and to withdraw a queued one. On an event's page those
buttons reach only that event's emails: another event's email id answers 404.
An organiser who is not an admin, opening the office's outbox, sees the emails of
the events they manage and no others (the buttons then act through each email's
event page). Opening one email is email_pages.py. They live here, beside the mail
banner (health.py), not in mail/: they name each email's event, and mail knows no domain.
"""

import math
from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventsys.accounts.models import EventManager
from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.mail import outbox as mail_outbox
from eventsys.mail.health import mail_health
from eventsys.mail.kinds import label_of
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.manage import bp
from eventsys.manage.access import admin_page, current_event, event_page, office_page
from eventsys.manage.delivery_errors import plain_error

PAGE_SIZE = 50
#: the states an organiser can act on, and the list shown first: the emails that need someone
RESENDABLE = mail_outbox.RESENDABLE
DEFAULT_STATE = EmailState.failed


def _scoped(query, event_id: int | None, managed_by: int | None = None):
    """Only one event's emails, or (managed_by: a user id) those of the events that user manages."""
    if managed_by is not None:
        query = query.where(OutboundEmail.event_id.in_(
            sa.select(EventManager.event_id).where(EventManager.user_id == managed_by)))
    return query if event_id is None else query.where(OutboundEmail.event_id == event_id)


def state_counts(event_id: int | None,
                 managed_by: int | None = None) -> tuple[dict[str, int], datetime | None]:
    """Emails by state, and since when the oldest due one has waited; one grouped query."""
    now = utcnow()
    due = sa.case((sa.and_(OutboundEmail.state == EmailState.queued, OutboundEmail.next_attempt_at <= now),
                   OutboundEmail.next_attempt_at))
    rows = db.session.execute(_scoped(
        sa.select(OutboundEmail.state, sa.func.count(),
                  sa.type_coerce(sa.func.min(due), OutboundEmail.next_attempt_at.type))
        .group_by(OutboundEmail.state), event_id, managed_by))
    counts = dict.fromkeys((state.value for state in EmailState), 0)
    oldest_due = None
    for state, count, earliest in rows:
        counts[state.value] = count
        oldest_due = earliest if earliest is not None else oldest_due
    return counts, oldest_due


def emails_query(state: EmailState | None, event_id: int | None, managed_by: int | None = None) -> sa.Select:
    """The emails in a state (any, for None), of one event or all, newest first, with their event's title.

    The pages show it 50 at a time; the organiser API pages it by id (api/organiser/emails.py).
    """
    query = (
        sa.select(OutboundEmail.id, OutboundEmail.recipient, OutboundEmail.kind, OutboundEmail.state,
                  OutboundEmail.attempts, OutboundEmail.last_error, OutboundEmail.created_at,
                  OutboundEmail.sent_at, OutboundEmail.registration_id, OutboundEmail.event_id,
                  OutboundEmail.subject, Event.title.label("event_title"),
                  Event.timezone.label("event_timezone"))
        .outerjoin(Event, Event.id == OutboundEmail.event_id)
        .order_by(OutboundEmail.id.desc())
    )
    if state is not None:
        query = query.where(OutboundEmail.state == state)
    return _scoped(query, event_id, managed_by)


def emails_in_state(state: EmailState, event_id: int | None, page: int,
                    managed_by: int | None = None) -> list[sa.Row]:
    """One page of the emails in a state, newest first, with their event's title."""
    query = emails_query(state, event_id, managed_by).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    return list(db.session.execute(query))


def _chosen_state() -> EmailState:
    """The state asked for in ?state=, or the default for anything else."""
    value = request.values.get("state", "")
    return EmailState(value) if value in EmailState.__members__ else DEFAULT_STATE


def _page_number() -> int:
    return max(request.values.get("page", 1, type=int) or 1, 1)


def _overview(event: Event | None, managed_by: int | None = None):
    event_id = event.id if event else None
    state = _chosen_state()
    counts, oldest_due = state_counts(event_id, managed_by)
    pages = max(math.ceil(counts[state.value] / PAGE_SIZE), 1)
    page = min(_page_number(), pages)
    now = utcnow()
    return render_template(
        "manage/outbox.html", event=event, counts=counts, state=state, states=EmailState, page=page,
        pages=pages,
        emails=emails_in_state(state, event_id, page, managed_by), oldest_due=oldest_due,
        waiting_minutes=int((now - oldest_due).total_seconds() // 60) if oldest_due else None,
        health=mail_health(now), scope={"event_id": event_id} if event else {},
        prefix="manage.event_" if event else "manage.", resendable=RESENDABLE, kind_label=label_of,
        plain_error=plain_error, own_events_only=managed_by is not None,
    )


def _email_of(email_id: int, event_id: int | None) -> OutboundEmail:
    """The email, if it exists and, on an event's page, belongs to that event; 404 otherwise."""
    email = db.session.get(OutboundEmail, email_id)
    if email is None or (event_id is not None and email.event_id != event_id):
        abort(404)
    return email


def _back(event_id: int | None):
    """Back to the list the button was pressed on."""
    values = {"state": _chosen_state().value, "page": _page_number()}
    if event_id is None:
        return redirect(url_for("manage.outbox", **values), code=303)
    return redirect(url_for("manage.event_outbox", event_id=event_id, **values), code=303)


def _resend(email_id: int, event_id: int | None):
    email = _email_of(email_id, event_id)
    refusal = mail_outbox.resend_refusal(email)
    if refusal:
        flash(refusal, "error")
    else:
        mail_outbox.resend(email.id)
        flash(_("The email to %(recipient)s is queued again.", recipient=email.recipient), "info")
    return _back(event_id)


def _cancel(email_id: int, event_id: int | None):
    email = _email_of(email_id, event_id)
    if email.state is not EmailState.queued:
        flash(_("The email to %(recipient)s is %(state)s: only queued ones can be withdrawn.",
                recipient=email.recipient, state=str(email.state.label).lower()), "error")
    else:
        mail_outbox.cancel(email.id)
        flash(_("The email to %(recipient)s is withdrawn.", recipient=email.recipient), "info")
    return _back(event_id)


def _resend_failed(event_id: int | None):
    count = mail_outbox.resend_failed(event_id)
    flash(ngettext("%(num)d failed email queued again.", "%(num)d failed emails queued again.", count),
          "info")
    return _back(event_id)


@bp.get("/outbox")
@office_page
def outbox():
    """Every email of the office by state, the failed ones first; an organiser's own events' only."""
    return _overview(None, None if current_user.is_admin else current_user.id)


@bp.post("/outbox/<int:email_id>/resend")
@admin_page
def resend_email(email_id: int):
    """Send a failed or cancelled email again."""
    return _resend(email_id, None)


@bp.post("/outbox/<int:email_id>/cancel")
@admin_page
def cancel_email(email_id: int):
    """Withdraw a queued email."""
    return _cancel(email_id, None)


@bp.post("/outbox/resend-failed")
@admin_page
def resend_failed():
    """Send every failed email again."""
    return _resend_failed(None)


@bp.get("/events/<int:event_id>/outbox")
@event_page
def event_outbox(event_id: int):
    """The event's emails by state, for its organisers."""
    return _overview(current_event())


@bp.post("/events/<int:event_id>/outbox/<int:email_id>/resend")
@event_page
def event_resend_email(event_id: int, email_id: int):
    """Send one of the event's failed or cancelled emails again."""
    return _resend(email_id, event_id)


@bp.post("/events/<int:event_id>/outbox/<int:email_id>/cancel")
@event_page
def event_cancel_email(event_id: int, email_id: int):
    """Withdraw one of the event's queued emails."""
    return _cancel(email_id, event_id)


@bp.post("/events/<int:event_id>/outbox/resend-failed")
@event_page
def event_resend_failed(event_id: int):
    """Send every failed email of the event again."""
    return _resend_failed(event_id)
