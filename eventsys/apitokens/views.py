"""The organiser's personal API tokens: made, listed, revoked (routes of the account pages).

The full token is shown in the answer to the POST that made it and nowhere else: it is
not stored, and it is not put in the session to show after a redirect, since the
session cookie is signed, not encrypted. That answer is never cached.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsys.apitokens import services
from eventsys.apitokens.forms import TokenForm
from eventsys.database import utcnow

bp = Blueprint("apitokens", __name__)


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):
    answer = render_template("apitokens/tokens.html", form=form, tokens=services.tokens_of(current_user),
                             new_token=new_token, now=utcnow(), max_tokens=services.MAX_TOKENS,
                             api_root=url_for("api-docs.openapi_json", _external=True))
    return answer, status, {"Cache-Control": "no-store"}


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    """Make a personal API token (shown once), see one's tokens and their last use."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            _token, text = services.create_token(current_user, form.name.data, form.chosen_scope(),
                                                 form.expires_in_days.data)
        except services.TokenError as refused:
            form[refused.field if refused.field in form else "name"].errors.append(str(refused))
        else:
            return _page(TokenForm(formdata=None), new_token=text)
    return _page(form, status=422 if form.is_submitted() else 200)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    """Revoke one of one's tokens: it stops working at once."""
    try:
        token = services.revoke_token(current_user, token_id)
    except services.TokenError:
        abort(404)
    flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "info")
    return redirect(url_for("apitokens.api_tokens"), code=303)
