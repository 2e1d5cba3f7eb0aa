"""Sign-in, password and language forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from eventsys.accounts.services import PASSWORD_MAX, PASSWORD_MIN
from eventsys.forms import Form
from eventsys.locales import LANGUAGES


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


class LanguageForm(Form):
    """The organiser's language: of their emails, and of their pages when the switch was not used."""

    # Each language named in itself, as the switch on every page names it.
    locale = SelectField(_l("Language"),
                         choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
                         validators=[DataRequired(_l("Choose a language."))],
                         description=_l("Emails to you (a speaker's answer, for one) are written in it, and "
                                        "the workspace is shown in it unless you choose another language "
                                        "with the switch at the foot of the page."))
