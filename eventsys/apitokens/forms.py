"""The form that makes a personal API token."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from eventsys.apitokens.models import NAME_MAX, TokenScope
from eventsys.apitokens.services import EXPIRY_DAYS_MAX, EXPIRY_DAYS_MIN
from eventsys.forms import Form


class TokenForm(Form):
    name = StringField(_l("Name"), [DataRequired(_l("Name the token after what will use it.")),
                                    Length(max=NAME_MAX)],
                       description=_l("What will use it, such as “check-in script”: so that you know which "
                                      "one to revoke."))
    scope = RadioField(_l("It may"), default=TokenScope.read.value,
                       choices=[SelectChoice(scope.value, scope.label) for scope in TokenScope])
    expires_in_days = IntegerField(
        _l("Expires after (days)"),
        [Optional(), NumberRange(EXPIRY_DAYS_MIN, EXPIRY_DAYS_MAX,
                                 _l("Give a number of days from %(min)s to %(max)s, or leave it blank."))],
        description=_l("Blank: it works until you revoke it."))

    def chosen_scope(self) -> TokenScope:
        """The scope chosen; call after validate()."""
        return TokenScope(self.scope.data)
