"""The report's bar charts, drawn on the server as PNG images with matplotlib.

Drawn with a Figure of its own and the Agg canvas, never pyplot: pyplot keeps global
state that two requests drawing at once would share. Country names are in the
report's language, so the labels are set in Noto Sans CJK, which has the Chinese,
Cyrillic and Latin letters alike (Debian's fonts-noto-cjk, installed by `make setup`);
DejaVu Sans stands in for anything it lacks.
"""

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server; set before anything draws

from flask_babel import gettext as _  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from eventsys.countries import country_name  # noqa: E402

#: the fonts of every label, in the order matplotlib falls back through them for a missing letter
FONT_FAMILY = ["Noto Sans CJK SC", "DejaVu Sans"]
#: countries shown as bars; the rest are added up in one last bar
MOST_COUNTRIES = 15
_BAR_COLOUR = "#0b5cad"


def _bars(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """(label, number) per bar: the countries with most first, then the others together."""
    shown = [(country_name(code), number) for code, number in counts[:MOST_COUNTRIES]]
    others = sum(number for _, number in counts[MOST_COUNTRIES:])
    if others:
        shown.append((_("Other countries"), others))
    return shown


def country_chart_png(title: str, counts: list[tuple[str, int]]) -> bytes:
    """A horizontal bar chart of counts by country (codes, most first), as PNG bytes."""
    bars = _bars(counts)
    with matplotlib.rc_context({"font.family": FONT_FAMILY, "font.size": 10, "svg.fonttype": "none"}):
        figure = Figure(figsize=(7, 1.4 + 0.32 * max(len(bars), 1)), dpi=110, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.set_title(title, loc="left", fontsize=12)
        if bars:
            labels = [label for label, _ in reversed(bars)]
            numbers = [number for _, number in reversed(bars)]
            drawn = axes.barh(labels, numbers, color=_BAR_COLOUR)
            axes.bar_label(drawn, padding=3)
            axes.set_xlim(0, max(numbers) * 1.15)
            axes.xaxis.get_major_locator().set_params(integer=True)
        else:
            axes.text(0.5, 0.5, _("Nobody in this period."), ha="center", va="center",
                      transform=axes.transAxes)
            axes.set_yticks([])
            axes.set_xticks([])
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        image = io.BytesIO()
        figure.savefig(image, format="png")
    return image.getvalue()


def attendees_chart(report) -> bytes:
    """Attendees by country, as PNG bytes."""
    return country_chart_png(_("Attendees by country"), report.attendees_by_country)


def speakers_chart(report) -> bytes:
    """Speakers by country, as PNG bytes."""
    return country_chart_png(_("Speakers by country"), report.speakers_by_country)
