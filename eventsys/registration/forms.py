"""The registration form: fixed fields plus one field per custom question of the event."""

from functools import cache, lru_cache
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Optional

from eventsys.countries import countries
from eventsys.events.models import Event
from eventsys.forms import Form
from eventsys.locales import current_language
from eventsys.registration.answers import LONG_TEXT_MAX, TEXT_MAX
from eventsys.registration.models import (
    AFFILIATION_MAX,
    EMAIL_MAX,
    NAME_MAX,
    AttendeeCategory,
    Question,
    QuestionKind,
    RegistrationStatus,
)
from eventsys.timezones import place_of, place_zones

#: how an attendee category is named, on the form and on the organisers' pages (the enum's one label)
CATEGORY_LABELS = {category: category.label for category in AttendeeCategory}

#: how a registration's status is named on the organisers' pages (the enum's one label)
STATUS_LABELS = {status: status.label for status in RegistrationStatus}


class CheckboxListField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class MarkedRequired:
    """Marks a field as required on the page; registration.applicants enforces it, for form and API alike."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        """Nothing to check here: the service reports a missing answer next to this field."""


def _country_choices() -> list[SelectChoice]:
    return _country_choices_in(current_language())


@cache
def _country_choices_in(language: str) -> list[SelectChoice]:
    """The countries named and sorted in the page's language: made once per language."""
    return [SelectChoice("", _l("Choose your country…"))] + [SelectChoice(*c) for c in countries(language)]


def zone_choices() -> list[SelectChoice]:
    """Every place's zone in the page's language, "Not given" first (also the speaker form's)."""
    return _zone_choices_in(current_language())


@cache
def _zone_choices_in(language: str) -> list[SelectChoice]:
    """Every place's zone, 'Москва — Europe/Moscow', by region; the browser's is chosen by local-zone.js."""
    return [SelectChoice("", _l("Not given"))] + [
        SelectChoice(zone, f"{place_of(zone, language)} — {zone}") for zone in place_zones()]


@cache
def _category_choices() -> list[SelectChoice]:
    return [SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()]


class RegistrationForm(Form):
    """The fields every event asks. Only consent is checked here: the rules on the values live
    in registration.applicants, shared with the API, and their errors are shown on these fields."""

    text_checked_by_service = True
    #: what the form says instead of the service for its drop-downs: the API's words name the codes
    #: an API client sends (ISO 3166, student…), which a person choosing from a list never sees
    plain_errors = {
        "country": _l("Choose your country from the list."),
        "category": _l("Choose what describes you from the list."),
    }

    name = StringField(_l("Full name"), validators=[MarkedRequired()], render_kw={"maxlength": NAME_MAX})
    name_latin = StringField(
        _l("Name in Latin letters"),
        description=_l("If your name is written in another script, as in your passport."),
        render_kw={"maxlength": NAME_MAX},
    )
    email = EmailField(_l("Email"), validators=[MarkedRequired()], render_kw={"maxlength": EMAIL_MAX})
    affiliation = StringField(_l("University or organisation"), render_kw={"maxlength": AFFILIATION_MAX})
    # Choices are given as functions: a list is walked whole on every form made (WTForms checks
    # each entry's type), and a submitted form never shows its ~250 countries.
    country = SelectField(_l("Country"), choices=_country_choices, validators=[MarkedRequired()],
                          validate_choice=False)
    # Translators: the label of the choice between Student, Faculty / researcher, Industry and Other.
    category = SelectField(_l("You are"), choices=_category_choices, validators=[MarkedRequired()],
                           validate_choice=False)
    timezone = SelectField(
        _l("Your time zone"), choices=zone_choices, validate_choice=False,
        description=_l("Your emails then show each time where the event is and where you are."),
        render_kw={"data-prefill-zone": "browser"},
    )
    consent = BooleanField(
        _l("I agree that the organisers store these details to run this event."),
        validators=[DataRequired(message=_l("We need your consent to register you."))],
    )

    #: the honeypot: hidden from people (template and screen readers alike), filled by bots that
    #: fill every field; a registration that fills it is refused (registration.views)
    website = StringField("Website", render_kw={"tabindex": "-1", "autocomplete": "off"})

    def caught_in_honeypot(self) -> bool:
        """Whether the field no person can see came back filled."""
        return bool((self.website.data or "").strip())

    def question_fields(self):
        """The fields of the event's own questions, in order."""
        return [field for field in self if field.name.startswith("q_")]

    def answers(self) -> dict:
        """The answers as the service expects them: question id -> raw value."""
        return {field.name[2:]: field.data for field in self.question_fields()}


def question_field(question: "Question | QuestionShape"):
    """A form field that shows the question; its answer is checked by registration.answers."""
    validators = [MarkedRequired()] if question.required else [Optional()]
    options = {"label": question.label, "description": question.help_text, "validators": validators}
    required = {"required": True} if question.required else {}
    choices = [SelectChoice(option) for option in question.options]
    match question.kind:
        case QuestionKind.text:
            return StringField(**options, render_kw={"maxlength": TEXT_MAX, **required})
        case QuestionKind.long_text:
            return TextAreaField(**options, render_kw={"maxlength": LONG_TEXT_MAX, "rows": 4, **required})
        case QuestionKind.single_choice:
            return RadioField(**options, choices=choices, validate_choice=False)
        case QuestionKind.multiple_choice:
            return CheckboxListField(**options, choices=choices, validate_choice=False)
        case QuestionKind.yes_no:
            yes_no = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
            return RadioField(**options, choices=yes_no, validate_choice=False)
        case QuestionKind.number:
            bounds = _number_bounds(question)
            return StringField(**options, render_kw={"type": "number", **bounds, **required})
        case QuestionKind.date:
            return StringField(**options, render_kw={"type": "date", **required})
    raise ValueError(f"no form field for question kind {question.kind}")


def _number_bounds(question: "Question | QuestionShape") -> dict[str, str]:
    """The input's min, max and step, so the browser and its number keypad follow the question's rule
    (registration.answers enforces it on the server, for form and API alike)."""
    bounds = {"step": "1" if question.whole_numbers else "any"}
    if question.whole_numbers:
        bounds["inputmode"] = "numeric"
    for attribute, limit in (("min", question.number_min), ("max", question.number_max)):
        if limit is not None:
            bounds[attribute] = str(int(limit)) if limit == int(limit) else repr(limit)
    return bounds


class QuestionShape(NamedTuple):
    """Everything a question's field is made from: two questions of one shape make the same field."""

    id: int
    kind: QuestionKind
    label: str
    help_text: str
    required: bool
    options: tuple[str, ...]
    number_min: float | None = None
    number_max: float | None = None
    whole_numbers: bool = False

    @classmethod
    def of(cls, question: Question) -> "QuestionShape":
        return cls(question.id, question.kind, question.label, question.help_text, question.required,
                   tuple(question.options or ()), question.number_min, question.number_max,
                   bool(question.whole_numbers))


@lru_cache(maxsize=512)
def _form_class(questions: tuple[QuestionShape, ...]) -> type[RegistrationForm]:
    """One form class per set of question shapes, made once per process.

    A new class on every request cost more than the rest of the form: WTForms
    collects and sorts a class's fields the first time the class is used. An
    edited question has another shape, so it gets a class of its own.
    """
    fields = {f"q_{shape.id}": question_field(shape) for shape in questions}
    return type("EventRegistrationForm", (RegistrationForm,), fields)


def registration_form_for(event: Event, **kwargs) -> RegistrationForm:
    """The registration form of this event, with its questions as fields q_<id>."""
    return _form_class(tuple(QuestionShape.of(question) for question in event.questions))(**kwargs)
