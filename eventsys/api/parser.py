"""How the API reads request bodies: whatever bytes arrive, a 422 naming the problem, never a 500.

Python's json module alone would let through what eventsys cannot store or show:
NaN and Infinity (not JSON at all), 1e400 (read as infinity), integers of more than
4,300 digits (a ValueError), nesting thousands deep (a RecursionError) and "\\ud800"
(a lone surrogate no UTF-8 encoder accepts). The body is read here with those
refused: what belongs to a field is reported under its name ("answers.3"), what
belongs to the whole body under "body".
"""

import json
import math
from typing import Any

from flask_babel import gettext as _
from flask_smorest import abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from eventsys import textrules
from eventsys.errors import flatten_messages

#: deeper than any body the API takes (a registration's is 3: body, answers, a list of choices)
MAX_DEPTH = 32
#: values (strings, numbers, items…) in one body; a registration with fifty answers has about a hundred
MAX_VALUES = 10_000
#: digits of an integer read at all; larger ones are refused before Python converts them
MAX_DIGITS = 100


class _Refused:
    """Put where a value was that cannot be taken; the walk after parsing reports it at its path."""


#: a number that is not finite, or has more than MAX_DIGITS digits: told the range numbers must be in
_NOT_FINITE = _Refused()


def _integer(text: str) -> int | _Refused:
    return _NOT_FINITE if len(text) > MAX_DIGITS + 1 else int(text)


def _real(text: str) -> float | _Refused:
    number = float(text)
    return number if math.isfinite(number) else _NOT_FINITE


def _body_error(message: str):
    abort(422, errors={"body": [message]})


def _problems(document: Any) -> dict:
    """Messages by path for what the document holds that cannot be stored; raises on size and depth.

    Iterative, not recursive: a document just under the parser's own recursion limit
    must not make this walk hit it.
    """
    problems: dict = {}
    stack: list[tuple[Any, tuple, int]] = [(document, (), 1)]
    seen = 0
    while stack:
        value, path, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            _body_error(_("The body holds more than %(limit)s values.", limit=MAX_VALUES))
        if depth > MAX_DEPTH:
            _body_error(_("The body is nested more than %(limit)s levels deep.", limit=MAX_DEPTH))
        if isinstance(value, _Refused):
            problems[path] = textrules.number_range()
        elif isinstance(value, str):
            if textrules.text_problem(value, multiline=True) == str(textrules.BROKEN_CHARACTER):
                problems[path] = str(textrules.BROKEN_CHARACTER)
        elif isinstance(value, dict):
            for key, item in value.items():
                # The key is shown in the error, so it must be encodable itself.
                name = textrules.displayable(key)
                if name != key:
                    problems[(*path, name)] = str(textrules.BROKEN_CHARACTER)
                else:
                    stack.append((item, (*path, name), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(index)), depth + 1) for index, item in enumerate(value))
    return problems


def _nested(problems: dict) -> dict:
    """{("answers", "3"): message} → {"answers": {"3": [message]}}, webargs' shape of field errors."""
    tree: dict = {}
    for path, message in problems.items():
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1] if path else "body"] = [message]
    return tree


def load_body(raw: bytes) -> Any:
    """The JSON document in raw, or a 422 abort saying what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        _body_error(_("The body is not valid UTF-8 (byte %(position)s).", position=problem.start))
    try:
        document = json.loads(text, parse_int=_integer, parse_float=_real,
                              parse_constant=lambda name: _NOT_FINITE)
    except RecursionError:
        _body_error(_("The body is nested more than %(limit)s levels deep.", limit=MAX_DEPTH))
    except ValueError as problem:  # json.JSONDecodeError included
        _body_error(_("The body is not valid JSON: %(problem)s", problem=problem))
    problems = _problems(document)
    if problems:
        abort(422, errors=flatten_messages(_nested(problems)))
    return document


class ApiParser(FlaskParser):
    """webargs' Flask parser, reading JSON bodies with load_body."""

    def _raw_load_json(self, req):
        """The body as JSON when the request says it is JSON; webargs' `missing` otherwise."""
        raw = req.get_data(cache=True)
        if not is_json_request(req) or not raw:
            return core.missing  # an empty body is a body without fields, as webargs has it
        return load_body(raw)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        _body_error(_("The body is not valid JSON: %(problem)s", problem=error))
