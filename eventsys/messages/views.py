"""Composing, previewing and sending messages to registrants or speakers (routes of /manage/).

One form does all three steps. "Preview" shows the message and the exact number of
recipients, and puts a signed preview token (send id, that number, a fingerprint of
the draft) into the form. "Send" acts only on a token matching the draft as
submitted, and only if the copies queued are as many as the preview said;
otherwise nothing is written and the page shows the new preview to confirm.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.manage import bp
from eventsys.manage.access import current_event, event_page
from eventsys.messages import services
from eventsys.messages.forms import STANDING_LABELS, MessageForm
from eventsys.messages.models import Mailing
from eventsys.messages.services import Draft
from eventsys.registration import tally
from eventsys.registration.forms import CATEGORY_LABELS, STATUS_LABELS


def _page(event: Event, form: MessageForm, status: int = 200, **preview):
    return render_template("manage/messages/new.html", event=event, form=form, **preview), status


def _show_preview(event: Event, form: MessageForm, draft: Draft, *, notice: str | None = None,
                  status: int = 200, send_id: str | None = None):
    """The form again, with the message as a recipient reads it and a send button for exactly this many."""
    reach = services.reach(draft)
    send_id = send_id or services.new_send_id()
    # Nobody to send to: no token, so no send button.
    count = reach.recipients
    form.preview_token.data = services.preview_token(draft, send_id, count) if count else ""
    copy = services.preview(draft, event)
    return _page(event, form, status, reach=reach, preview_subject=copy.subject, preview_text=copy.text,
                 preview_html=copy.html, notice=notice)


def _send(event: Event, form: MessageForm, draft: Draft):
    try:
        send_id, count = services.read_preview(draft, form.preview_token.data or "")
    except services.PreviewOutdated as outdated:
        return _show_preview(event, form, draft, notice=str(outdated), status=409)
    try:
        mailing, sent_now = services.send(draft, send_id, count, current_user.id)
    except services.RecipientsChanged:
        notice = _("The recipients changed since the preview, which showed %(count)s. Nothing was sent: "
                   "check the new number below and send again.", count=count)
        return _show_preview(event, form, draft, notice=notice, status=409, send_id=send_id)
    if sent_now:
        flash(_("Your message “%(subject)s” is on its way to %(count)s people.", subject=mailing.subject,
                count=mailing.recipient_count), "info")
    else:
        flash(_("“%(subject)s” was sent already; it was not sent again.", subject=mailing.subject), "info")
    return redirect(url_for("manage.messages", event_id=event.id), code=303)


@bp.route("/events/<int:event_id>/messages/new", methods=["GET", "POST"])
@event_page
def new_message(event_id: int):
    """Write a message to the event's registrants or speakers, preview it, send it."""
    event = current_event()
    form = MessageForm()
    form.set_countries({country for _status, country in tally.counts(event.id)})
    if not form.is_submitted():
        return _page(event, form)
    form.forget_other_audience()
    if not form.validate():
        return _page(event, form, 422)
    draft = form.draft(event.id)
    if form.send.data:
        return _send(event, form, draft)
    return _show_preview(event, form, draft)


@bp.get("/events/<int:event_id>/messages")
@event_page
def messages(event_id: int):
    """The messages sent for the event, with how far their delivery has come."""
    event = current_event()
    # The filters are stored as values (their labels are looked up as they are shown, in the page's language).
    return render_template("manage/messages/list.html", event=event, status_labels=STATUS_LABELS,
                           category_labels=CATEGORY_LABELS, standing_labels=STANDING_LABELS,
                           mailings=services.sent_mailings(event.id),
                           progress=services.delivery_progress(event.id))


@bp.get("/events/<int:event_id>/messages/<int:mailing_id>")
@event_page
def message(event_id: int, mailing_id: int):
    """One sent message: what it said, as its recipients read it, to whom, and how far delivery has come."""
    event = current_event()
    mailing = db.session.get(Mailing, mailing_id)  # of this event: access.EVENT_PARTS checked it
    copy = services.preview(services.draft_of(mailing), event)
    return render_template("manage/messages/message.html", event=event, mailing=mailing, copy=copy,
                           counts=services.delivery_progress(event.id, only=mailing.id).get(mailing.id, {}),
                           status_labels=STATUS_LABELS, category_labels=CATEGORY_LABELS,
                           standing_labels=STANDING_LABELS)
