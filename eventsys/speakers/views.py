"""The speaker's invitation page: read the invitation, then accept or decline it, without an account."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys import tokens
from eventsys.speakers import invitation_links, invitations
from eventsys.speakers.forms import InvitationAnswerForm
from eventsys.speakers.models import InvitationStatus

bp = Blueprint("speakers", __name__)

#: what a visitor with a broken or forged link reads
BAD_LINK = _l("This invitation link is not valid. Please open it again from the invitation email, "
              "making sure the whole address was copied.")


def _gone_page(gone: invitations.InvitationGone):
    """410: the invitation can no longer be answered, and why."""
    return render_template(
        "speakers/gone.html", engagement=gone.engagement, event=gone.engagement.event,
        reason=str(gone), expired=isinstance(gone, invitations.InvitationExpired),
    ), 410


def _invitation_page(engagement, form: InvitationAnswerForm, status: int = 200, already: bool = False):
    """The invitation with its answer form, or with the answer given (`already` when given twice)."""
    return render_template(
        "speakers/invitation.html", engagement=engagement, event=engagement.event,
        speaker=engagement.speaker, item=engagement.programme_item, form=form,
        role_words=invitations.role_in_words(engagement.role), statuses=InvitationStatus,
        suggested=request.args.get("answer"), already=already, visa_letter_url=_visa_letter_url(engagement),
    ), status


def _visa_letter_url(engagement) -> str | None:
    """The accepted speaker's link to ask for a visa invitation letter, where the event offers them."""
    from eventsys.visas.views import speaker_link_token  # the visa domain builds on speakers, not the reverse

    if (engagement.invitation_status is not InvitationStatus.accepted
            or not engagement.event.offers_visa_letters
            or engagement.speaker.country == current_app.config["HOST_COUNTRY"]):
        return None
    return url_for("visas.speaker_letter", token=speaker_link_token(engagement.id))


def _link(token: str) -> invitation_links.InvitationLink:
    """The engagement and round the link names: 404 for a bad link; InvitationExpired for an old one."""
    try:
        return invitation_links.link_from_token(token)
    except tokens.ExpiredToken as expired:
        engagement = invitations.expire_invitation(invitation_links.engagement_id_in_expired(expired))
        raise invitations.InvitationExpired(engagement) from None
    except tokens.InvalidToken:
        abort(404, description=str(BAD_LINK))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """Show the invitation; a POST from its form records the speaker's answer."""
    try:
        link = _link(token)
        engagement = invitations.open_invitation(link.engagement_id, round=link.round)
    except invitations.InvitationNotFound as missing:
        abort(404, description=str(missing))
    except invitations.InvitationGone as gone:
        return _gone_page(gone)

    form = InvitationAnswerForm()
    if not form.is_submitted():
        return _invitation_page(engagement, form)
    if not form.validate():
        return _invitation_page(engagement, form, 422)
    accept = form.answer()
    if accept is None:
        # Translators: Accept and Decline are the two buttons of the form.
        form.form_errors.append(_("Choose Accept or Decline."))
        return _invitation_page(engagement, form, 422)
    try:
        invitations.answer_invitation(link.engagement_id, accept, form.note.data or "", round=link.round)
    except invitations.AlreadyAnswered as already:
        return _invitation_page(already.engagement, form, 409, already=True)
    except invitations.InvitationGone as gone:
        return _gone_page(gone)
    except invitations.InvitationNotFound as missing:
        abort(404, description=str(missing))
    except invitations.InvitationError as refused:
        form.form_errors.append(str(refused))
        return _invitation_page(engagement, form, 422)
    flash(_("Thank you: your answer is on its way to the organisers."), "success")
    return redirect(url_for("speakers.invitation", token=token), code=303)
