"""Forms of the organisers' registration pages: the list's filters and the answers editor."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from eventsys.countries import countries
from eventsys.events.models import Event
from eventsys.forms import Form
from eventsys.registration.forms import CATEGORY_LABELS, STATUS_LABELS, question_field
from eventsys.registration.listing import ListQuery, Sort
from eventsys.registration.models import AttendeeCategory, Question, QuestionKind, RegistrationStatus

SEARCH_MAX = 200


SORT_LABELS = {
    Sort.oldest: _l("Registered, oldest first"),
    Sort.newest: _l("Registered, newest first"),
    Sort.name: _l("Name, A–Z"),
    Sort.name_desc: _l("Name, Z–A"),
}


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def _choices(labels: dict, anything: str) -> list[SelectChoice]:
    return [SelectChoice("", anything)] + [SelectChoice(key.value, label) for key, label in labels.items()]


def _country_choices() -> list[SelectChoice]:
    """Every country, named in the page's language: made when the form is shown, not at import."""
    return [SelectChoice("", _("Any country")), *(SelectChoice(*c) for c in countries())]


class RegistrationFilters(Form):
    """The list's search and filters, read from the query string (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search name, email or affiliation"), filters=[_stripped],
                    validators=[Length(max=SEARCH_MAX)])  # and textrules, by Form
    status = SelectField(_l("Status"), choices=_choices(STATUS_LABELS, _l("Any status")), default="")
    category = SelectField(_l("Category"), choices=_choices(CATEGORY_LABELS, _l("Any category")), default="")
    country = SelectField(_l("Country"), choices=_country_choices, filters=[_upper], default="")
    checked_in = SelectField(_l("Checked in"), default="", choices=[
        SelectChoice("", _l("Either")), SelectChoice("yes", _l("Checked in")),
        SelectChoice("no", _l("Not yet")),
    ])
    sort = SelectField(_l("Sort"), choices=[SelectChoice(s.value, label) for s, label in SORT_LABELS.items()],
                       default=Sort.oldest.value)
    #: registered between these two, in the event's zone: how a burst of registrations is found
    registered_from = DateTimeLocalField(_l("Registered from"), format="%Y-%m-%dT%H:%M")
    # Translators: the second half of "Registered from … until …", a filter of the registrations list.
    registered_until = DateTimeLocalField(_l("until"), format="%Y-%m-%dT%H:%M")

    def list_query(self, zone: str = "UTC") -> tuple[ListQuery, list[str]]:
        """The query asked for, and a notice for each value that was not understood and so ignored."""
        self.validate()
        notices = []
        for field in self:
            if field.errors:
                notices.append(_("%(field)s: %(problem)s The value was ignored.",
                                 field=str(field.label.text), problem=str(field.errors[0])))
                field.data = field.default
                field.errors = []
        checked_in = {"yes": True, "no": False}.get(self.checked_in.data)
        query = ListQuery(
            q=self.q.data or "",
            status=RegistrationStatus(self.status.data) if self.status.data else None,
            category=AttendeeCategory(self.category.data) if self.category.data else None,
            country=self.country.data or None,
            checked_in=checked_in,
            registered_from=_aware(self.registered_from.data, zone),
            # Up to the minute typed, not including it: "10:00 until 10:05" and "10:05 until 10:10"
            # split a burst with nothing counted twice.
            registered_until=_aware(self.registered_until.data, zone),
            zone=zone,
            sort=Sort(self.sort.data),
        )
        return query, notices


def _aware(local: datetime | None, zone: str) -> datetime | None:
    """A time typed in the event's zone, as a moment."""
    return local.replace(tzinfo=ZoneInfo(zone)) if local else None


def filters_from(args) -> RegistrationFilters:
    """The filters form filled from a query string (request.args)."""
    return RegistrationFilters(formdata=args)


class AnswersForm(Form):
    """One field per question of the event, named q_<question id>, as on the registration form."""

    text_checked_by_service = True

    def question_fields(self):
        """The question fields, in the event's order."""
        return [field for field in self if field.name.startswith("q_")]

    def answers(self) -> dict[str, Any]:
        """The answers as the service expects them: question id -> raw value."""
        return {field.name[2:]: field.data for field in self.question_fields()}

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the service's errors (keyed by question id) next to their fields."""
        for key, messages in errors.items():
            name = f"q_{key}"
            if name in self:
                self[name].errors = list(self[name].errors) + messages
            else:
                self.form_errors.extend(messages)


def _as_form_value(question: Question, value: Any) -> Any:
    """A stored answer as its field shows it (yes/no for booleans, text for numbers)."""
    if question.kind is QuestionKind.yes_no and isinstance(value, bool):
        return "yes" if value else "no"
    if question.kind is QuestionKind.number and value is not None:
        return str(value)
    return value


def answers_form_for(event: Event, stored: dict[str, Any] | None = None) -> AnswersForm:
    """The answers form of this event; stored answers fill it when given (on GET, not on a submission)."""
    questions = list(event.questions)
    fields = {f"q_{question.id}": question_field(question) for question in questions}
    form_class = type("RegistrationAnswersForm", (AnswersForm,), fields)
    if stored is None:
        return form_class()
    data = {f"q_{q.id}": _as_form_value(q, stored[q.field_name]) for q in questions if q.field_name in stored}
    return form_class(data=data)
