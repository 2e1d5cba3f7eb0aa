"""Sign-in and password forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from eventsys.accounts.services import PASSWORD_MAX, PASSWORD_MIN
from eventsys.forms import Form


class LoginForm(Form):
    email = EmailField(_l("Email"),
                       validators=[DataRequired(_l("Enter your email address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         Length(max=PASSWORD_MAX)])


class PasswordChangeForm(Form):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Enter it to confirm."))])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a new password.")),
                    Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                           # WTForms' Length fills in min and max.
                           message=_l("Use %(min)s to %(max)s characters."))],
    )
    confirm = PasswordField(_l("New password again"),
                            validators=[EqualTo("new_password", _l("The two new passwords differ."))])
