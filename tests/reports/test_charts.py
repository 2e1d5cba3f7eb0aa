"""The charts name countries in the report's language, with real letters, not boxes."""

import io
import warnings

import pytest
from flask_babel import force_locale
from PIL import Image

from eventsys.reports import charts

COUNTS = [("RU", 12), ("CN", 9), ("US", 4), ("JP", 2)]


def _drawn_without_missing_glyphs(title: str) -> bytes:
    # matplotlib warns "Glyph … missing from font(s)" for each letter it draws as a box.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        return charts.country_chart_png(title, COUNTS)


@pytest.mark.parametrize(("language", "title"), [
    ("zh", "按国家统计的参会人数"), ("ru", "Участники по странам"), ("en", "Attendees by country"),
])
def test_every_letter_of_the_labels_has_a_glyph(app, language, title):
    with app.test_request_context(), force_locale(language):
        png = _drawn_without_missing_glyphs(title)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > 500


def test_the_check_would_see_boxes_in_a_font_without_chinese(app, monkeypatch):
    monkeypatch.setattr(charts, "FONT_FAMILY", ["DejaVu Sans"])
    with app.test_request_context(), force_locale("zh"):
        with pytest.raises(UserWarning, match="missing from font"):
            _drawn_without_missing_glyphs("按国家统计")


def test_a_chart_of_nobody_says_so(app):
    with app.test_request_context():
        png = charts.country_chart_png("Attendees by country", [])
    assert png.startswith(b"\x89PNG")


def test_countries_past_the_fifteenth_are_added_up(app):
    codes = "RU CN US JP DE FR GB IT ES NL SE PL UA KZ EG PK BR".split()
    many = [(code, 20 - i) for i, code in enumerate(codes)]
    with app.test_request_context():
        bars = charts._bars(many)
    assert len(bars) == 16 and bars[-1] == ("Other countries", 5 + 4)
