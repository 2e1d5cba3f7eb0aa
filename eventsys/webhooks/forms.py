"""The organisers' webhook forms: an endpoint's address, its message types and its scope; and the buttons."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import InputRequired, Length

from eventsys.forms import Form
from eventsys.webhooks import message_types
from eventsys.webhooks.addresses import URL_MAX

#: the scope choice meaning every event the organiser manages
ALL_EVENTS = "all"


class CheckboxListField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _type_choices() -> list[tuple[str, str]]:
    # Translators: a kind of webhook message; %(name)s is its type, as receivers see it: not to be translated.
    return [(name, _("%(description)s (%(name)s)", description=label, name=name))
            for name, label in message_types.SUBSCRIBABLE.items()]


class EndpointForm(Form):
    """A new endpoint of one event."""

    url = StringField(_l("Address"), [InputRequired(_l("Give the address we should send messages to.")),
                                      Length(max=URL_MAX)],
                      description=_l("We send each message to it as a signed POST request, e.g. "
                                     "https://example.org/hooks/eventsys"))
    event_types = CheckboxListField(_l("Messages"), choices=_type_choices, validate_choice=False)


class AccountEndpointForm(EndpointForm):
    """A new endpoint chosen from the workspace: for all of one's events, or one of them."""

    scope = SelectField(_l("For"), validate_choice=False)

    def set_events(self, events) -> None:
        """Offer every event the organiser manages, after "all of them"."""
        self.scope.choices = [(ALL_EVENTS, _l("All events you manage")),
                              *((str(event.id), event.title) for event in events)]

    def event_id(self) -> int | None:
        """The chosen event's id; None for all events (or a value that names none: the service refuses it)."""
        value = self.scope.data or ALL_EVENTS
        if value == ALL_EVENTS:
            return None
        return int(value) if value.isdigit() and len(value) < 10 else -1


class ButtonForm(Form):
    """Nothing to fill in: a button with its CSRF token (rotate, turn off or on, delete, test)."""
