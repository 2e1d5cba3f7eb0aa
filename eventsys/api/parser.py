"""How the API reads request bodies: malformed JSON is a 422 with a field-style error too."""

from flask_smorest import abort
from webargs.flaskparser import FlaskParser


class ApiParser(FlaskParser):
    """webargs' Flask parser, answering broken JSON like any other invalid body."""

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(422, messages={"json": {"body": [f"The body is not valid JSON: {error}"]}})
