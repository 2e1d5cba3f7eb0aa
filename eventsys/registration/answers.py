"""Checking answers to an event's custom questions: one rule for the form and the API alike."""

from datetime import date
from typing import Any

from babel.numbers import format_decimal
from flask_babel import gettext as _

from eventsys.locales import current_language
from eventsys.registration.models import Question, QuestionKind
from eventsys.textrules import check_number, check_text, number_range

TEXT_MAX = 500
LONG_TEXT_MAX = 5000
_YES = {"yes", "true", "1", "on"}
_NO = {"no", "false", "0", "off"}


class InvalidAnswers(ValueError):
    """Some answers are wrong; `errors` maps the question's field name to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _text(question: Question, value: Any) -> str:
    limit = LONG_TEXT_MAX if question.kind is QuestionKind.long_text else TEXT_MAX
    if not isinstance(value, str):
        raise ValueError(_("Enter text."))
    return check_text(value.strip(), multiline=question.kind is QuestionKind.long_text, limit=limit)


def _single_choice(question: Question, value: Any) -> str:
    if not isinstance(value, str) or value not in question.options:
        raise ValueError(_("Choose one of: %(choices)s.", choices=", ".join(question.options)))
    return value


def _multiple_choice(question: Question, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(_("Give a list of choices."))
    unknown = [v for v in value if v not in question.options]
    if unknown:
        raise ValueError(_("Not a choice here: %(choices)s.", choices=", ".join(unknown)))
    # Keep the organiser's order and drop repeats, so answers compare and export cleanly.
    return [option for option in question.options if option in value]


def _yes_no(question: Question, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _YES | _NO:
        return value.strip().lower() in _YES
    raise ValueError(_("Answer yes or no."))


def _number(question: Question, value: Any) -> int | float:
    """A finite number within textrules' range and the question's own, given as a JSON number or as
    text (the form's); a whole-numbers question stores 2.0 as 2."""
    rule = number_rule(question)
    if isinstance(value, str):
        text = value.strip()
        # Longer text cannot be a number in range, and int() of 5,000 digits would raise anyway.
        if len(text) > 40:
            raise ValueError(rule or number_range())
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise ValueError(rule or _("Enter a number.")) from None
            if value != value or value in (float("inf"), float("-inf")):
                # "nan" and "inf" are words, not numbers, to a person
                raise ValueError(rule or _("Enter a number.")) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(rule or _("Enter a number."))
    try:
        value = check_number(value)
    except ValueError:
        raise ValueError(rule or number_range()) from None
    if question.whole_numbers:
        if value != int(value):
            raise ValueError(rule)
        value = int(value)
    if (question.number_min is not None and value < question.number_min) or \
            (question.number_max is not None and value > question.number_max):
        raise ValueError(rule)
    return value


def number_rule(question: Question) -> str | None:
    """What a number question takes, in a person's words ("Enter a whole number from 0 to 5."); None
    when it takes any number."""
    low, high = question.number_min, question.number_max
    if low is None and high is None:
        return _("Enter a whole number.") if question.whole_numbers else None
    low_shown, high_shown = (None if n is None else shown_number(n) for n in (low, high))
    if question.whole_numbers:
        if low is not None and high is not None:
            return _("Enter a whole number from %(min)s to %(max)s.", min=low_shown, max=high_shown)
        if low is not None:
            return _("Enter a whole number of %(min)s or more.", min=low_shown)
        return _("Enter a whole number of %(max)s or less.", max=high_shown)
    if low is not None and high is not None:
        return _("Enter a number from %(min)s to %(max)s.", min=low_shown, max=high_shown)
    if low is not None:
        return _("Enter a number of %(min)s or more.", min=low_shown)
    return _("Enter a number of %(max)s or less.", max=high_shown)


def shown_number(number: float) -> str:
    """A limit as the page's language writes it: 5 rather than 5.0, "1,5" in Russian."""
    return format_decimal(int(number) if number == int(number) else number, locale=current_language())


def _date(question: Question, value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ValueError(_("Enter a date as YYYY-MM-DD."))


_CHECKS = {
    QuestionKind.text: _text,
    QuestionKind.long_text: _text,
    QuestionKind.single_choice: _single_choice,
    QuestionKind.multiple_choice: _multiple_choice,
    QuestionKind.yes_no: _yes_no,
    QuestionKind.number: _number,
    QuestionKind.date: _date,
}


def clean_answers(questions: list[Question], raw: dict[str, Any] | None) -> dict[str, Any]:
    """Return the answers in stored form, or raise InvalidAnswers naming each bad one."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise InvalidAnswers({"": [_("Give the answers as a mapping from question id to answer.")]})
    errors: dict[str, list[str]] = {}
    known = {q.field_name for q in questions}
    for key in raw:
        if key not in known:
            errors[key] = [_("This event has no such question.")]
    cleaned: dict[str, Any] = {}
    for question in questions:
        value = raw.get(question.field_name)
        if _is_blank(value):
            if question.required:
                errors[question.field_name] = [_("This question needs an answer.")]
            continue
        try:
            cleaned[question.field_name] = _CHECKS[question.kind](question, value)
        except ValueError as problem:
            errors[question.field_name] = [str(problem)]
    if errors:
        raise InvalidAnswers(errors)
    return cleaned
