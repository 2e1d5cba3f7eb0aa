"""The badge form: which layout, and which people, by the registration list's own filters."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField

from eventsys.badges.layout import Layout
from eventsys.registration.forms import STATUS_LABELS
from eventsys.registration.manage_forms import RegistrationFilters
from eventsys.registration.models import RegistrationStatus


class BadgeForm(RegistrationFilters):
    """The list's filters (a GET form, like the list's), with confirmed registrants chosen at first."""

    layout = RadioField(_l("Layout"), default=Layout.sheet.value,
                        choices=[SelectChoice(layout.value, layout.label) for layout in Layout])
    status = SelectField(_l("Status"), default=RegistrationStatus.confirmed.value, choices=[
        SelectChoice("", _l("Any status")),
        *(SelectChoice(status.value, label) for status, label in STATUS_LABELS.items())])

    def chosen_layout(self) -> Layout:
        """The layout asked for; the sheet when the value was not one we know."""
        try:
            return Layout(self.layout.data)
        except ValueError:
            return Layout.sheet


def badge_form(args) -> BadgeForm:
    """The form filled from a query string; with none, its defaults (confirmed registrants, on a sheet)."""
    return BadgeForm(formdata=args if args else None)
