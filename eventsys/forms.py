"""The base of every eventsys form: each value typed in is held to eventsys.textrules.

Each form inherits this rule instead of listing a validator on each field, so a field
added later cannot forget it. Text areas take line breaks and tabs; every other field
takes one line. The message is shown under the field, like any other.
"""

from flask_wtf import FlaskForm
from wtforms import TextAreaField

from eventsys.textrules import text_problem


def typed_text_problem(field) -> str | None:
    """What is wrong with the characters sent for the field, or None (also when nothing was sent)."""
    multiline = isinstance(field, TextAreaField)
    for raw in field.raw_data or ():
        problem = isinstance(raw, str) and text_problem(raw, multiline)
        if problem:
            return problem
    return None


class Form(FlaskForm):
    """FlaskForm, with textrules checked on every field."""

    #: True where a service holds every value to textrules itself and its errors are shown on the
    #: form (registration: the same service serves the API); checked here too, each would show twice
    text_checked_by_service = False

    def validate(self, extra_validators=None) -> bool:
        """Validate as FlaskForm does; a field whose text breaks the rule shows that rule's message only."""
        valid = super().validate(extra_validators)
        if self.text_checked_by_service:
            return valid
        for field in self:
            problem = typed_text_problem(field)
            if problem:
                # Its own checks (an email, a date…) on such text would only add noise.
                field.errors = [problem]
                valid = False
        return valid
