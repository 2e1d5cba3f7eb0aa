"""Reading the report page as a person reads it: its tables by id, its lists, its summary."""

import re
from html import unescape
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.lists: dict[str, list[str]] = {}
        self.paragraphs: dict[str, str] = {}
        self._table = self._list = self._paragraph = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id"):
            self._table = self.tables.setdefault(attributes["id"], [])
        elif tag == "ul" and attributes.get("id"):
            self._list = self.lists.setdefault(attributes["id"], [])
        elif tag == "p" and attributes.get("id"):
            self._paragraph = attributes["id"]
            self.paragraphs[self._paragraph] = ""
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th", "li") and (self._row is not None or self._list is not None):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "ul":
            self._list = None
        elif tag == "p":
            self._paragraph = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "li" and self._cell is not None and self._list is not None:
            self._list.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._paragraph is not None:
            self.paragraphs[self._paragraph] += data


def read_report(html: str) -> dict:
    """The report's figures as the page shows them, keyed like tests/reports/activity.py's."""
    page = _Tables()
    page.feed(html)

    def pairs(table: str, skip_header: bool = True) -> dict[str, int]:
        rows = page.tables[table][1 if skip_header else 0:]
        return {row[0]: int(row[1].replace(",", "")) for row in rows
                if len(row) == 2 and row[1].replace(",", "").isdigit()}

    def names(list_id: str) -> set[str]:
        return {re.sub(r" \([^()]*\)(,.*)?$", "", item) for item in page.lists[list_id]}

    return {
        "events": pairs("events-by-kind"),
        "experts": pairs("experts", skip_header=False),
        "speakers_by_country": pairs("speakers-by-country"),
        "attendees": pairs("attendees", skip_header=False),
        "attendees_by_country": pairs("attendees-by-country"),
        "attendees_by_category": pairs("attendees-by-category"),
        "partners_engaged": names("partners-engaged"),
        "new_partners": names("new-partners"),
        "honours": pairs("honours"),
        "summary": " ".join(unescape(page.paragraphs.get("summary", "")).split()),
    }
