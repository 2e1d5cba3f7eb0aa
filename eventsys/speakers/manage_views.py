"""Organiser pages of speakers, institutions and invitations (routes of the /manage/ blueprint)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.database import db
from eventsys.manage import bp
from eventsys.manage.access import current_event, event_page, office_page
from eventsys.speakers import directory, importing, invitations, photos, records
from eventsys.speakers.manage_forms import (
    DirectoryFilterForm,
    ImportForm,
    InstitutionFilterForm,
    InstitutionForm,
    InviteForm,
    SpeakerForm,
)
from eventsys.speakers.models import KNOWN_HONOURS, Engagement, Institution, Speaker
from eventsys.speakers.pages import photo_response
from eventsys.speakers.public import has_public_page, speaker_slug


def _page_number() -> int:
    """The ?page= asked for; anything that is not a positive number means the first."""
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and int(page) > 0 else 1


@bp.get("/speakers")
@office_page
def speakers():
    """The speaker directory: search by name or email, filter, fifty a page."""
    form = DirectoryFilterForm(formdata=request.args).offer(directory.filter_options())
    if not form.validate():
        return render_template("manage/speakers/directory.html", form=form, found=None), 422
    found = directory.search_speakers(form.filters(), _page_number())
    query = {name: value for name, value in request.args.items() if name != "page" and value}
    return render_template("manage/speakers/directory.html", form=form, found=found, query=query)


@bp.get("/speakers/<int:speaker_id>")
@office_page
def speaker(speaker_id: int):
    """One speaker: the record, and every event and programme item they took part in."""
    found = directory.speaker_with_details(speaker_id) or abort(404)
    history = directory.speaker_history(speaker_id)
    managed = directory.managed_among({event.id for _, event, _ in history}, current_user)
    public_url = (url_for("speaker_pages.speaker", speaker_id=speaker_id, name=speaker_slug(found) or None)
                  if has_public_page(speaker_id) else None)
    return render_template("manage/speakers/speaker.html", speaker=found, history=history, managed=managed,
                           role_in_words=invitations.role_in_words, photo_url=_photo_url(found),
                           public_url=public_url)


@bp.get("/speakers/<int:speaker_id>/photo.jpg")
@office_page
def speaker_photo(speaker_id: int):
    """The speaker's photo for the organisers, whether or not their page is public yet."""
    # Not in shared caches: the speaker may have no public page yet.
    return photo_response(photos.stored_photo(speaker_id) or abort(404), cache="private, max-age=31536000")


def _speaker_form_page(form: SpeakerForm, speaker: Speaker | None, status: int = 200):
    return render_template("manage/speakers/speaker_form.html", form=form, speaker=speaker,
                           known_honours=KNOWN_HONOURS, photo_url=_photo_url(speaker)), status


def _photo_url(speaker: Speaker | None) -> str | None:
    """The workspace's link to the speaker's photo, None without one."""
    version = photos.photo_version(speaker.id) if speaker else None
    return url_for("manage.speaker_photo", speaker_id=speaker.id, v=version) if version else None


def _save_photo(form: SpeakerForm, speaker: Speaker) -> None:
    """A new photo replaces the old one; "Remove photo" without a new one deletes it."""
    if getattr(form.photo, "cleaned", None):
        photos.save_photo(speaker.id, form.photo.cleaned)
    elif form.remove_photo.data:
        photos.remove_photo(speaker.id)


#: the pages whose form carries a photo
_PHOTO_FORMS = frozenset({"manage.new_speaker", "manage.edit_speaker"})


@bp.url_value_preprocessor
def _allow_photo_uploads(endpoint: str | None, _values) -> None:
    """Let the speaker form's request carry a photo (photos.FORM_MAX_BYTES, above the app's limit).

    Set here: these run before every before_request, and CSRF protection's reads the body.
    """
    if endpoint in _PHOTO_FORMS:
        request.max_content_length = photos.FORM_MAX_BYTES


def _save_speaker(form: SpeakerForm, speaker: Speaker | None):
    """Validate and save through records; errors go next to their fields with 422."""
    if not form.validate():
        return _speaker_form_page(form, speaker, 422)
    try:
        if speaker is None:
            speaker = records.create_speaker(form.details())
        else:
            records.update_speaker(speaker, form.details())
    except records.RecordError as refused:
        getattr(form, refused.field).errors.append(str(refused))
        return _speaker_form_page(form, speaker, 422)
    _save_photo(form, speaker)
    flash(_("Saved %(name)s.", name=speaker.display_name), "info")
    return redirect(url_for("manage.speaker", speaker_id=speaker.id), code=303)


@bp.route("/speakers/new", methods=["GET", "POST"])
@office_page
def new_speaker():
    """Add a speaker to the directory."""
    form = SpeakerForm().offer(directory.institution_choices())
    if request.method == "GET":
        return _speaker_form_page(form, None)
    return _save_speaker(form, None)


@bp.route("/speakers/<int:speaker_id>/edit", methods=["GET", "POST"])
@office_page
def edit_speaker(speaker_id: int):
    """Change a speaker's record."""
    speaker = directory.speaker_with_details(speaker_id) or abort(404)
    form = SpeakerForm().offer(directory.institution_choices())
    if request.method == "GET":
        return _speaker_form_page(form.fill_from(speaker), speaker)
    return _save_speaker(form, speaker)


def _import_page(form: ImportForm, report: importing.ImportReport | None = None, status: int = 200):
    return render_template("manage/speakers/import.html", form=form, report=report,
                           columns=importing.COLUMNS), status


@bp.route("/speakers/import", methods=["GET", "POST"])
@office_page
def import_speakers():
    """Upload a CSV file of speakers; show the row-by-row report and what was imported."""
    form = ImportForm()
    if request.method == "GET":
        return _import_page(form)
    if not form.validate():
        return _import_page(form, status=422)
    report = importing.import_speakers(form.file.data.read(), valid_only=bool(form.valid_only.data))
    if report.file_errors and not report.rows:
        form.file.errors.extend(report.file_errors)
        return _import_page(form, status=422)
    return _import_page(form, report, 200 if report.imported or not report.invalid_rows else 422)


@bp.get("/institutions")
@office_page
def institutions():
    """Institutions with how many speakers work at each; partners and country as filters."""
    form = InstitutionFilterForm(formdata=request.args).offer(directory.institution_countries())
    if not form.validate():
        return render_template("manage/speakers/institutions.html", form=form, rows=[]), 422
    return render_template("manage/speakers/institutions.html", form=form,
                           rows=directory.list_institutions(form.filters()))


def _save_institution(form: InstitutionForm, institution: Institution | None):
    """Validate and save through records; errors go next to their fields with 422."""
    page = "manage/speakers/institution_form.html"
    if not form.validate():
        return render_template(page, form=form, institution=institution), 422
    try:
        if institution is None:
            institution = records.create_institution(form.details())
        else:
            records.update_institution(institution, form.details())
    except records.RecordError as refused:
        getattr(form, refused.field).errors.append(str(refused))
        return render_template(page, form=form, institution=institution), 422
    flash(_("Saved %(name)s.", name=institution.name), "info")
    return redirect(url_for("manage.institutions"), code=303)


@bp.route("/institutions/new", methods=["GET", "POST"])
@office_page
def new_institution():
    """Add an institution."""
    form = InstitutionForm().offer()
    if request.method == "GET":
        return render_template("manage/speakers/institution_form.html", form=form, institution=None)
    return _save_institution(form, None)


@bp.route("/institutions/<int:institution_id>/edit", methods=["GET", "POST"])
@office_page
def edit_institution(institution_id: int):
    """Change an institution."""
    institution = db.session.get(Institution, institution_id) or abort(404)
    form = InstitutionForm(obj=institution if request.method == "GET" else None).offer()
    if request.method == "GET":
        return render_template("manage/speakers/institution_form.html", form=form, institution=institution)
    return _save_institution(form, institution)


def _event_speakers_page(form: InviteForm, status: int = 200):
    event = current_event()
    return render_template(
        "manage/speakers/event_speakers.html", event=event, form=form,
        engagements=directory.event_engagements(event.id), role_in_words=invitations.role_in_words,
        renewable=invitations.RENEWABLE,
    ), status


def _invite_form() -> InviteForm:
    return InviteForm().offer(directory.invitable_speakers(), current_event().programme)


@bp.get("/events/<int:event_id>/speakers")
@event_page
def event_speakers(event_id: int):
    """The event's speakers with the state of each invitation, and the form to invite one more."""
    return _event_speakers_page(_invite_form())


@bp.post("/events/<int:event_id>/speakers/invite")
@event_page
def invite_speaker(event_id: int):
    """Invite a speaker through the invitation rules; inviting again sends nothing."""
    form = _invite_form()
    if not form.validate():
        return _event_speakers_page(form, 422)
    speaker_id, item_id = int(form.speaker_id.data), form.item_id()
    before = invitations.find_engagement(speaker_id, event_id, item_id)
    try:
        engagement = invitations.invite_speaker(speaker_id, event_id, form.role.data, form.message.data or "",
                                                item_id, invited_by_email=current_user.email)
    except invitations.InvitationError as refused:
        form.speaker_id.errors.append(str(refused))
        return _event_speakers_page(form, 422)
    speaker = engagement.speaker
    if before is not None and before.invitation_status is not None:
        # Translators: %(status)s is the invitation's state as the organisers' pages name it, in lower case.
        flash(_("%(name)s was already invited (status: %(status)s); nothing was sent.",
                name=speaker.display_name, status=str(before.invitation_status.label).lower()), "info")
    else:
        flash(_("Invited %(name)s; the invitation email is on its way.", name=speaker.display_name), "info")
    return redirect(url_for("manage.event_speakers", event_id=event_id), code=303)


@bp.post("/events/<int:event_id>/speakers/<int:engagement_id>/renew")
@event_page
def renew_invitation(event_id: int, engagement_id: int):
    """Invite again a speaker who declined or did not answer in time."""
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None or engagement.event_id != event_id:
        abort(404)
    try:
        renewed = invitations.renew_invitation(engagement_id, invited_by_email=current_user.email)
    except invitations.InvitationError as refused:
        flash(str(refused), "error")
    else:
        flash(_("Invited %(name)s again; a new invitation email is on its way.",
                name=renewed.speaker.display_name), "info")
    return redirect(url_for("manage.event_speakers", event_id=event_id), code=303)
