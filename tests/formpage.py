"""Reading and filling HTML forms the way a browser would, for tests."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.errors_by_field: dict[str, list[str]] = {}
        self._current_field: str | None = None
        self._in_error = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("input", "select", "textarea") and attributes.get("name"):
            self._current_field = attributes["name"]
            if tag == "input" and attributes.get("type") not in ("checkbox", "radio", "submit"):
                self.fields[attributes["name"]] = attributes.get("value") or ""
        if tag == "li" and self._in_error_list:
            self._in_error = True
        if tag == "ul" and "errors" in (attributes.get("class") or ""):
            self._in_error_list = True

    _in_error_list = False

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_error_list = False
        if tag == "li":
            self._in_error = False

    def handle_data(self, data):
        if self._in_error and self._current_field and data.strip():
            self.errors_by_field.setdefault(self._current_field, []).append(data.strip())


def read_form(html: str) -> _FormReader:
    """The form's text inputs with their values, and the error messages shown under each field."""
    reader = _FormReader()
    reader.feed(html)
    return reader
