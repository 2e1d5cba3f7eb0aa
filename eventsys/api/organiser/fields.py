"""Fields of the organiser API's bodies and queries: text held to textrules, moments that exist, optionals.

The workspace's forms hold every typed value to eventsys.textrules (eventsys/forms.py);
these fields hold the API's to the same rule, with the same limits as the forms'
fields, so neither door lets in what the other refuses. The rules on the values
themselves (a slug free, an end after the start…) stay in the services.
"""

import copy
from datetime import UTC, datetime

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate

from eventsys.api.schemas import ONE_LINE
from eventsys.countries import is_country
from eventsys.textrules import text_problem

#: multi-line text: no control characters but tab and line breaks
MULTI_LINE = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
#: the years a moment given to the API may fall in: beyond them a time is a typo, and Python's
#: datetime cannot even move some of them to UTC
YEARS = (1970, 2200)


class Line(fields.String):
    """One line of text, at most `limit` characters, stripped of surrounding spaces."""

    multiline = False

    def __init__(self, limit: int, **kwargs):
        metadata = {"pattern": MULTI_LINE if self.multiline else ONE_LINE, **kwargs.pop("metadata", {})}
        super().__init__(validate=validate.Length(max=limit), metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text, multiline=self.multiline)
        if problem:
            raise ma.ValidationError(problem)
        return text.strip()


class Text(Line):
    """Text that may hold line breaks (a description, a biography)."""

    multiline = True


class Moment(fields.AwareDateTime):
    """An instant with its UTC offset, such as 2026-05-12T09:30:00+08:00; read as UTC."""

    def __init__(self, **kwargs):
        metadata = {"description": "ISO 8601 with its UTC offset, such as 2026-05-12T09:30:00+08:00",
                    **kwargs.pop("metadata", {})}
        super().__init__(format="iso", metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            moment = datetime.max.replace(tzinfo=UTC)
        if not YEARS[0] <= moment.year <= YEARS[1]:
            raise ma.ValidationError(_("Give a time between the years %(first)s and %(last)s.",
                                       first=YEARS[0], last=YEARS[1]))
        return moment


class Country(fields.String):
    """A country by its ISO 3166-1 alpha-2 code, in either case; read in upper case."""

    def __init__(self, **kwargs):
        metadata = {"description": "ISO 3166-1 alpha-2, such as RU", "pattern": "^[A-Za-z]{2}$",
                    **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if not is_country(code):
            raise ma.ValidationError(_("Choose a country from the list (ISO 3166 code such as RU or CN)."))
        return code


def whole_number(low: int, high: int, **kwargs) -> fields.Integer:
    """An integer from low to high, given as a JSON number (not as text)."""
    return fields.Integer(strict=True, validate=validate.Range(low, high), **kwargs)


def all_optional(schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A copy of schema, named name, whose every field may be left out (and gets no default): for PATCH."""
    declared = {}
    for field_name, field in schema._declared_fields.items():
        optional = copy.deepcopy(field)
        optional.required = False
        optional.load_default = ma.missing
        declared[field_name] = optional
    return type(name, (schema,), declared)
