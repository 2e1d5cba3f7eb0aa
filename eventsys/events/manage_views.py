"""Organiser pages of events and their programme (routes of the /manage/ blueprint)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventsys.accounts.services import may_manage
from eventsys.events import lifecycle, management
from eventsys.events.lifecycle import ChangeRefused
from eventsys.events.manage_forms import (
    CancelForm,
    ManagerForm,
    event_form,
    item_speaker_form,
    programme_item_form,
    question_form,
)
from eventsys.events.models import EventStatus
from eventsys.events.overview_charts import overview_charts
from eventsys.manage import bp
from eventsys.manage.access import current_event, event_page, office_page
from eventsys.registration.answers import number_rule
from eventsys.speakers.models import SpeakerRole


def _show(form, refused: ChangeRefused) -> None:
    """Put each message of a refusal under its field, or above the form when it concerns the whole."""
    for name, message in refused.errors.items():
        if name and name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            form.form_errors.append(message)


def _page(template: str, form, **context):
    """The form page: 422 when a submission came back with errors."""
    return render_template(template, form=form, **context), 422 if form.is_submitted() else 200


def _back(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


@bp.route("/events/new", methods=["GET", "POST"])
@office_page
def new_event():
    """A new event, saved as a draft that its creator manages."""
    form = event_form()
    if form.validate_on_submit():
        try:
            event = lifecycle.create_event(form.details(), current_user)
        except ChangeRefused as refused:
            _show(form, refused)
        else:
            flash(_("“%(title)s” is saved as a draft.", title=event.title), "info")
            return _back("manage.event", event_id=event.id)
    return _page("manage/events/form.html", form, event=None)


@bp.get("/events/<int:event_id>")
@event_page
def event(event_id: int):
    """The event at a glance: status, dates, seats, registrations by day and country, what publishing
    still needs, and its pages."""
    event = current_event()
    problems = lifecycle.publish_problems(event) if event.status is EventStatus.draft else []
    return render_template("manage/events/overview.html", event=event, problems=problems,
                           seats=lifecycle.seat_counts(event.id), charts=overview_charts(event))


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@event_page
def edit_event(event_id: int):
    """Change the event; more seats go to the waiting list at once, fewer than are taken are refused."""
    event = current_event()
    try:
        lifecycle.ensure_changeable(event)
    except ChangeRefused as refused:
        flash(str(refused), "error")
        return _back("manage.event", event_id=event_id)
    form = event_form(event)
    if form.validate_on_submit():
        try:
            promoted = management.update_event(event_id, form.details())
        except ChangeRefused as refused:
            _show(form, refused)
        else:
            if promoted:
                flash(ngettext("The changes are saved. %(num)d people moved up from the waiting list and "
                               "are being told.",
                               "The changes are saved. %(num)d people moved up from the waiting list and "
                               "are being told.", len(promoted)), "info")
            else:
                flash(_("The changes are saved."), "info")
            return _back("manage.event", event_id=event_id)
    return _page("manage/events/form.html", form, event=event)


@bp.post("/events/<int:event_id>/publish")
@event_page
def publish_event(event_id: int):
    """Put the draft on the public pages."""
    try:
        lifecycle.publish_event(event_id)
    except ChangeRefused as refused:
        flash(_("Not published yet. %(problems)s", problems=str(refused)), "error")
    else:
        flash(_("The event is published."), "info")
    return _back("manage.event", event_id=event_id)


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@event_page
def cancel_event(event_id: int):
    """Ask for a reason, then cancel the event and write to everyone registered."""
    event = current_event()
    if event.status is EventStatus.cancelled:
        flash(_("This event is already cancelled."), "error")
        return _back("manage.event", event_id=event_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            notified = lifecycle.cancel_event(event_id, (form.reason.data or "").strip())
        except ChangeRefused as refused:  # cancelled by someone else since the form was shown
            flash(str(refused), "error")
            return _back("manage.event", event_id=event_id)
        flash(ngettext("The event is cancelled; %(num)d registrants are being told.",
                       "The event is cancelled; %(num)d registrants are being told.", notified), "info")
        return _back("manage.event", event_id=event_id)
    return _page("manage/events/cancel.html", form, event=event,
                 notified=lifecycle.people_to_notify(event_id))


@bp.post("/events/<int:event_id>/duplicate")
@event_page
def duplicate_event(event_id: int):
    """Copy the event as a new draft, then open it to change what differs."""
    try:
        copy = lifecycle.duplicate_event(event_id, current_user)
    except ChangeRefused as refused:
        flash(str(refused), "error")
        return _back("manage.event", event_id=event_id)
    flash(_("This is a new draft copied from the event, with its questions and programme: "
            "set its dates and address."), "info")
    return _back("manage.edit_event", event_id=copy.id)


@bp.get("/events/<int:event_id>/programme")
@event_page
def programme(event_id: int):
    """The programme in time order, with each item's speakers."""
    return render_template("manage/events/programme.html", event=current_event(),
                           items=management.programme_of(event_id))


@bp.route("/events/<int:event_id>/programme/new", methods=["GET", "POST"])
@event_page
def new_programme_item(event_id: int):
    """Add a session or talk; then its page offers to add speakers."""
    event = current_event()
    form = programme_item_form(event)
    if form.validate_on_submit():
        try:
            item = management.save_programme_item(event, form.details())
        except ChangeRefused as refused:
            _show(form, refused)
        else:
            flash(_("“%(title)s” is added to the programme.", title=item.title), "info")
            return _back("manage.edit_programme_item", event_id=event_id, item_id=item.id)
    return _page("manage/events/programme_item.html", form, event=event, item=None)


def _item(event_id: int, item_id: int):
    return management.item_of(event_id, item_id) or abort(404)


def _item_page(event, item, form, speaker_form, status: int = 200):
    return render_template("manage/events/programme_item.html", event=event, item=item, form=form,
                           speaker_form=speaker_form, roles=SpeakerRole), status


@bp.route("/events/<int:event_id>/programme/<int:item_id>/edit", methods=["GET", "POST"])
@event_page
def edit_programme_item(event_id: int, item_id: int):
    """Change an item, and see and change who speaks in it."""
    event, item = current_event(), _item(event_id, item_id)
    form = programme_item_form(event, item)
    if form.validate_on_submit():
        try:
            management.save_programme_item(event, form.details(), item)
        except ChangeRefused as refused:
            _show(form, refused)
        else:
            flash(_("“%(title)s” is saved.", title=item.title), "info")
            return _back("manage.programme", event_id=event_id)
    speaker_form = item_speaker_form(management.speakers_to_choose())
    return _item_page(event, item, form, speaker_form, 422 if form.is_submitted() else 200)


@bp.post("/events/<int:event_id>/programme/<int:item_id>/delete")
@event_page
def delete_programme_item(event_id: int, item_id: int):
    """Remove an item and the speakers added to it."""
    item = _item(event_id, item_id)
    title = item.title  # read now: the row is gone after the delete
    try:
        management.delete_programme_item(current_event(), item)
    except ChangeRefused as refused:
        flash(str(refused), "error")
    else:
        flash(_("“%(title)s” is removed from the programme.", title=title), "info")
    return _back("manage.programme", event_id=event_id)


@bp.post("/events/<int:event_id>/programme/<int:item_id>/speakers")
@event_page
def add_item_speaker(event_id: int, item_id: int):
    """Put a speaker from the directory on the item directly, without an invitation."""
    event, item = current_event(), _item(event_id, item_id)
    speaker_form = item_speaker_form(management.speakers_to_choose())
    if speaker_form.validate_on_submit():
        try:
            role = SpeakerRole(speaker_form.role.data)
            management.add_item_speaker(item, speaker_form.speaker_id.data, role)
        except ChangeRefused as refused:
            _show(speaker_form, refused)
        else:
            flash(_("The speaker is added to this item."), "info")
            return _back("manage.edit_programme_item", event_id=event_id, item_id=item_id)
    return _item_page(event, item, programme_item_form(event, item), speaker_form, 422)


@bp.post("/events/<int:event_id>/programme/<int:item_id>/speakers/<int:engagement_id>/remove")
@event_page
def remove_item_speaker(event_id: int, item_id: int, engagement_id: int):
    """Take a speaker who was added directly off the item."""
    try:
        speaker = management.remove_item_speaker(_item(event_id, item_id), engagement_id)
    except ChangeRefused as refused:
        flash(str(refused), "error")
    else:
        flash(_("%(name)s is no longer on this item.", name=speaker.display_name), "info")
    return _back("manage.edit_programme_item", event_id=event_id, item_id=item_id)


@bp.get("/events/<int:event_id>/questions")
@event_page
def questions(event_id: int):
    """The event's own questions on the registration form, in order."""
    event = current_event()
    return render_template("manage/events/questions.html", event=event, questions=event.questions,
                           answered=management.has_registrations(event_id), number_rule=number_rule)


def _question(event_id: int, question_id: int):
    return management.question_of(event_id, question_id) or abort(404)


@bp.route("/events/<int:event_id>/questions/new", methods=["GET", "POST"])
@bp.route("/events/<int:event_id>/questions/<int:question_id>/edit", methods=["GET", "POST"],
          endpoint="edit_question")
@event_page
def new_question(event_id: int, question_id: int | None = None):
    """Add a question at the end of the form, or change one."""
    event = current_event()
    question = _question(event_id, question_id) if question_id is not None else None
    form = question_form(question)
    if form.validate_on_submit():
        try:
            management.save_question(event, form.details(), question)
        except ChangeRefused as refused:
            _show(form, refused)
        else:
            flash(_("The question is saved."), "info")
            return _back("manage.questions", event_id=event_id)
    return _page("manage/events/question.html", form, event=event, question=question,
                 answered=management.has_registrations(event_id))


@bp.post("/events/<int:event_id>/questions/<int:question_id>/delete")
@event_page
def delete_question(event_id: int, question_id: int):
    """Take the question off the form; answers already given stay with the registrations."""
    try:
        management.delete_question(current_event(), _question(event_id, question_id))
    except ChangeRefused as refused:
        flash(str(refused), "error")
    else:
        flash(_("The question is removed from the form."), "info")
    return _back("manage.questions", event_id=event_id)


@bp.post("/events/<int:event_id>/questions/<int:question_id>/move")
@event_page
def move_question(event_id: int, question_id: int):
    """Move a question one place up or down the form."""
    step = {"up": -1, "down": 1}.get(request.form.get("direction", "")) or abort(400)
    try:
        management.move_question(current_event(), _question(event_id, question_id), step)
    except ChangeRefused as refused:
        flash(str(refused), "error")
    return _back("manage.questions", event_id=event_id)


@bp.route("/events/<int:event_id>/managers", methods=["GET", "POST"])
@event_page
def event_managers(event_id: int):
    """Who manages the event; add another organiser by email."""
    form = ManagerForm()
    if form.validate_on_submit():
        try:
            user = management.add_manager_by_email(event_id, form.email.data)
        except ChangeRefused as refused:
            _show(form, refused)
        else:
            flash(_("%(email)s now manages this event.", email=user.email), "info")
            return _back("manage.event_managers", event_id=event_id)
    return _page("manage/events/managers.html", form, event=current_event(),
                 managers=management.managers_of(event_id))


@bp.post("/events/<int:event_id>/managers/<int:user_id>/remove")
@event_page
def remove_event_manager(event_id: int, user_id: int):
    """Stop an organiser managing the event (never the last one)."""
    try:
        management.remove_manager(event_id, user_id)
    except ChangeRefused as refused:
        flash(str(refused), "error")
        return _back("manage.event_managers", event_id=event_id)
    flash(_("The organiser no longer manages this event."), "info")
    if not may_manage(current_user, event_id):
        return _back("manage.home")
    return _back("manage.event_managers", event_id=event_id)
