"""Organiser pages of webhooks (routes of the /manage/ blueprint): endpoints, their secret, their log.

An endpoint's own pages are office pages checked for ownership: another
organiser's endpoint answers 404, as an unknown id does. The secret is shown in the
answer to the request that made it (adding, rotating), marked no-store, and never
again: it is not in any session or GET page.
"""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.accounts.services import managed_events_filter
from eventsys.database import db
from eventsys.events.models import Event
from eventsys.manage import bp
from eventsys.manage.access import current_event, event_page, office_page
from eventsys.webhooks import message_types, services, signing
from eventsys.webhooks.forms import AccountEndpointForm, ButtonForm, EndpointForm

#: answers that carry a secret: kept by no cache, and not in the browser's history either
NO_STORE = {"Cache-Control": "no-store"}


def _show(form, refused: services.EndpointRefused) -> None:
    """Put each message of a refusal under its field, or above the form when it concerns the whole."""
    for name, messages in refused.errors.items():
        if name and name in form:
            form[name].errors = [*form[name].errors, *messages]
        else:
            form.form_errors.extend(messages)


def _owned(endpoint_id: int):
    return services.endpoint_of(current_user, endpoint_id) or abort(404)


def _endpoint_page(endpoint, new_secret: str | None = None, status: int = 200,
                   form: ButtonForm | None = None):
    log = services.attempt_log(endpoint.id, request.args.get("page", 1, type=int) or 1)
    return render_template("webhooks/endpoint.html", endpoint=endpoint, new_secret=new_secret, log=log,
                           form=form or ButtonForm(), labels=message_types.SUBSCRIBABLE,
                           webhook_id=signing.webhook_id, still_managed=services.still_managed(endpoint),
                           zone=endpoint.event.timezone if endpoint.event else "UTC"), status, NO_STORE


def _create(form, event_id: int | None, page: str, **context):
    """Add the endpoint from a valid form and show its secret; the form again with its errors otherwise."""
    if form.validate_on_submit():
        try:
            endpoint, secret = services.create_endpoint(current_user, form.url.data,
                                                        form.event_types.data or [], event_id)
        except services.EndpointRefused as refused:
            _show(form, refused)
        else:
            return _endpoint_page(endpoint, secret, 201)
    status = 422 if form.is_submitted() else 200
    return render_template(page, form=form, labels=message_types.SUBSCRIBABLE, **context), status


@bp.route("/webhooks", methods=["GET", "POST"])
@office_page
def webhooks():
    """The organiser's endpoints, for all their events or one, and the form to add one."""
    form = AccountEndpointForm()
    form.set_events(db.session.scalars(
        sa.select(Event).where(managed_events_filter(current_user)).order_by(Event.starts_at.desc())))
    return _create(form, form.event_id() if form.is_submitted() else None, "webhooks/list.html",
                   endpoints=services.endpoints_of(current_user), event=None)


@bp.route("/events/<int:event_id>/webhooks", methods=["GET", "POST"])
@event_page
def event_webhooks(event_id: int):
    """The organiser's endpoints that receive this event's messages, and the form to add one for it."""
    return _create(EndpointForm(), event_id, "webhooks/list.html",
                   endpoints=services.endpoints_of(current_user, event_id), event=current_event())


@bp.get("/webhooks/<int:endpoint_id>")
@office_page
def webhook_endpoint(endpoint_id: int):
    """One endpoint: what it receives, its state, its buttons, and its delivery log, newest first."""
    return _endpoint_page(_owned(endpoint_id))


@bp.post("/webhooks/<int:endpoint_id>/rotate")
@office_page
def rotate_webhook_secret(endpoint_id: int):
    """A new secret, shown once; the old one keeps signing for a day beside it."""
    endpoint = _owned(endpoint_id)
    form = ButtonForm()
    if not form.validate():
        return _endpoint_page(endpoint, status=422, form=form)
    return _endpoint_page(endpoint, services.rotate_secret(endpoint))


def _act(endpoint_id: int, action, done: str):
    """Run a button's service on the owner's endpoint, then back to its page with what happened."""
    endpoint = _owned(endpoint_id)
    form = ButtonForm()
    if not form.validate():
        return _endpoint_page(endpoint, status=422, form=form)
    try:
        action(endpoint)
    except services.EndpointRefused as refused:
        _show(form, refused)
        return _endpoint_page(endpoint, status=422, form=form)
    flash(done, "success")
    return redirect(url_for("manage.webhook_endpoint", endpoint_id=endpoint_id), code=303)


@bp.post("/webhooks/<int:endpoint_id>/test")
@office_page
def test_webhook(endpoint_id: int):
    """Send a `webhook.test` message, delivered and logged like any other."""
    return _act(endpoint_id, services.send_test,
                _("A test message is on its way; its attempts appear below."))


@bp.post("/webhooks/<int:endpoint_id>/turn-off")
@office_page
def turn_off_webhook(endpoint_id: int):
    """Stop sending to the endpoint."""
    return _act(endpoint_id, services.turn_off, _("The endpoint is off: nothing is sent to it."))


@bp.post("/webhooks/<int:endpoint_id>/turn-on")
@office_page
def turn_on_webhook(endpoint_id: int):
    """Send to the endpoint again, from the next message on."""
    return _act(endpoint_id, services.turn_on, _("The endpoint is on again."))


@bp.post("/webhooks/<int:endpoint_id>/delete")
@office_page
def delete_webhook(endpoint_id: int):
    """Remove the endpoint and its log; back to the list of all one's endpoints."""
    endpoint = _owned(endpoint_id)
    form = ButtonForm()
    if not form.validate():
        return _endpoint_page(endpoint, status=422, form=form)
    services.delete_endpoint(endpoint)
    flash(_("The endpoint is deleted."), "success")
    return redirect(url_for("manage.webhooks"), code=303)
