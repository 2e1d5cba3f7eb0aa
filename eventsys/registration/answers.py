"""Checking answers to an event's custom questions: one rule for the form and the API alike."""

import re
from datetime import date
from typing import Any

from eventsys.registration.models import Question, QuestionKind

TEXT_MAX = 500
LONG_TEXT_MAX = 5000
_YES = {"yes", "true", "1", "on"}
_NO = {"no", "false", "0", "off"}


#: control characters other than tab and line breaks: never typed by a person, and PostgreSQL refuses NUL
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\t]")


def check_typed_text(value: str, multiline: bool = False) -> str:
    """Raise ValueError when value holds characters nobody types (line breaks only if multiline)."""
    if _CONTROL.search(value) or (not multiline and _LINE_BREAK.search(value)):
        raise ValueError("Remove the control characters from this text.")
    return value


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
        raise ValueError("Enter text.")
    value = check_typed_text(value.strip(), multiline=question.kind is QuestionKind.long_text)
    if len(value) > limit:
        raise ValueError(f"Keep this under {limit} characters (it has {len(value)}).")
    return value


def _single_choice(question: Question, value: Any) -> str:
    if not isinstance(value, str) or value not in question.options:
        raise ValueError(f"Choose one of: {', '.join(question.options)}.")
    return value


def _multiple_choice(question: Question, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("Give a list of choices.")
    unknown = [v for v in value if v not in question.options]
    if unknown:
        raise ValueError(f"Not a choice here: {', '.join(unknown)}.")
    # Keep the organiser's order and drop repeats, so answers compare and export cleanly.
    return [option for option in question.options if option in value]


def _yes_no(question: Question, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _YES | _NO:
        return value.strip().lower() in _YES
    raise ValueError("Answer yes or no.")


def _number(question: Question, value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError("Enter a number.")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            raise ValueError("Enter a number.") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("Enter a number.")
        return number
    raise ValueError("Enter a number.")


def _date(question: Question, value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ValueError("Enter a date as YYYY-MM-DD.")


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
    errors: dict[str, list[str]] = {}
    known = {q.field_name for q in questions}
    for key in raw:
        if key not in known:
            errors[key] = ["This event has no such question."]
    cleaned: dict[str, Any] = {}
    for question in questions:
        value = raw.get(question.field_name)
        if _is_blank(value):
            if question.required:
                errors[question.field_name] = ["This question needs an answer."]
            continue
        try:
            cleaned[question.field_name] = _CHECKS[question.kind](question, value)
        except ValueError as problem:
            errors[question.field_name] = [str(problem)]
    if errors:
        raise InvalidAnswers(errors)
    return cleaned
