"""The organisers' forms for invitations: one invitee, a file of them, the batch's options, and actions."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from eventsys.events.manage_forms import LocalDateTimeField, _LocalTimes
from eventsys.forms import Form
from eventsys.locales import LANGUAGES
from eventsys.registration.models import AFFILIATION_MAX, EMAIL_MAX, NAME_MAX, AttendeeCategory


def _category_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Let them choose")),
            *(SelectChoice(category.value, category.label) for category in AttendeeCategory)]


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("The event's language")),
            *(SelectChoice(code, name) for code, name in LANGUAGES.items())]


class BatchOptionsForm(_LocalTimes, Form):
    """What a batch is sent with; the deadline is typed in the event's zone."""

    holds_seats = BooleanField(_l("Hold a seat for each invitee"),
                               description=_l("Set aside when sent; nobody else can take it. Invitees can "
                                              "register even when the event is full to others, and take "
                                              "their seat without waiting for approval."))
    skips_approval = BooleanField(_l("Skip approval"),
                                  description=_l("On an event that approves registrations, invitees are "
                                                 "registered without waiting for it."))
    skips_verification = BooleanField(_l("Skip email verification"), default=True,
                                      description=_l("Invitees register at once; otherwise, on an event that "
                                                     "verifies addresses, they confirm theirs by email."))
    deadline = LocalDateTimeField(_l("Answer by"), validators=[Optional()],
                                  description=_l("Blank: when registration closes, or else when the event "
                                                 "starts. Unanswered invitations then expire and release "
                                                 "their seats."))


class InviteOneForm(BatchOptionsForm):
    """One invitee, typed in."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=EMAIL_MAX)])
    institution = StringField(_l("Institution"), validators=[Length(max=AFFILIATION_MAX)])
    category = SelectField(_l("Category"), choices=_category_choices, validate_choice=True)
    language = SelectField(_l("Language of the emails"), choices=_language_choices)


class InviteFileForm(BatchOptionsForm):
    """A CSV file of invitees."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     description=_l("Columns: name, email, institution, category, language (and optionally "
                                    "country). Only name and email are required."))


class InvitationActionForm(_LocalTimes, Form):
    """Resend, revoke or extend the ticked invitations."""

    action = SelectField(choices=[SelectChoice("resend", _l("Send again")),
                                  SelectChoice("revoke", _l("Revoke")), SelectChoice("extend", _l("Extend"))])
    ids = SelectMultipleField(coerce=int, validate_choice=False)
    deadline = LocalDateTimeField(_l("New deadline"), validators=[Optional()])


class DeclineForm(Form):
    """The invitee's one button to decline."""
