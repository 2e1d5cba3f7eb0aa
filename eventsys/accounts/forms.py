"""Sign-in and password forms."""

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from eventsys.accounts.services import PASSWORD_MAX, PASSWORD_MIN
from eventsys.forms import Form


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."),
                                                     Length(max=PASSWORD_MAX)])


class PasswordChangeForm(Form):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter it to confirm.")])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a new password."),
                    Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                           message=f"Use {PASSWORD_MIN} to {PASSWORD_MAX} characters.")],
    )
    confirm = PasswordField("New password again",
                            validators=[EqualTo("new_password", "The two new passwords differ.")])
