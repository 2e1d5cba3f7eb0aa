"""Signing in and out, changing one's password, and choosing one's language."""

import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.logging import default_handler
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from eventsys.accounts import services
from eventsys.accounts.forms import LanguageForm, LoginForm, PasswordChangeForm
from eventsys.accounts.models import User
from eventsys.extensions import limiter, login_manager

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in to see this page.")
# The flash is kept in the session cookie, which takes text only: made into words when flashed.
login_manager.localize_callback = str
login_manager.login_message_category = "info"

# Flask-Limiter says "falling back to in-memory storage" to a logger nobody hears by default;
# the operator must learn that the sign-in limit is counted per process while Redis is down.
_limiter_log = logging.getLogger("flask-limiter")
if default_handler not in _limiter_log.handlers:
    _limiter_log.addHandler(default_handler)


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    return services.user_of_session(session_id)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a crafted link must not send a fresh sign-in to another site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("manage.home")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """The organisers' sign-in page."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")), code=303)
        form.password.errors = [_("Wrong email or password.")]
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out (a POST with the CSRF token, so another site cannot sign anyone out).

    Every session of the account ends, not only this browser's: a copy of the cookie
    (a shared computer, a stolen one) must not outlive the sign-out.
    """
    if current_user.is_authenticated:
        services.end_sessions(current_user)
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except services.AccountError as refused:
            form[refused.field if refused.field in form else "new_password"].errors = [str(refused)]
        else:
            # The change ended every session; this one is renewed under the new generation.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed."), "info")
            return redirect(url_for("manage.home"), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/password.html", form=form), status


@bp.route("/account/language", methods=["GET", "POST"])
@login_required
def change_language():
    """Choose the language of one's emails (and of one's pages without the switch's cookie)."""
    form = LanguageForm(obj=current_user) if request.method == "GET" else LanguageForm()
    if form.validate_on_submit():
        try:
            services.set_language(current_user, form.locale.data)
        except services.AccountError as refused:
            form.locale.errors = [str(refused)]
        else:
            flash(_("Your language is saved."), "info")
            return redirect(url_for("accounts.change_language"), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/language.html", form=form), status
