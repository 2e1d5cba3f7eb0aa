"""Small bar charts written out as SVG text, for pages that show a few numbers at a glance.

Written by hand rather than with matplotlib (reports/charts.py draws the report's PNGs):
a page's chart is a few dozen shapes, which as SVG text is 2–5 kB, drawn in well under a
millisecond, crisp at any zoom, and set in the page's own fonts, so Chinese and Cyrillic
labels render wherever the page does. matplotlib's SVG of the same chart is ~30 kB, takes
~50 ms, and draws its own axes and paths where a few rectangles say it all.

Every piece of text goes through Markup's escaping (a label may be anything a person
typed); the numbers are formatted by the caller in the page's language. The drawing has
a viewBox and no fixed size, so CSS scales it to the width of a phone (charts.css).
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

#: width of every chart's drawing, in its own units; CSS scales it to the page
WIDTH = 480
#: how many characters of a bar's label fit in its column; longer ones are cut, whole in the tooltip
LABEL_CHARACTERS = 20


@dataclass(frozen=True)
class Bar:
    """One bar: its label under or beside it, how long it is, its number as the page writes it."""

    label: str
    value: int
    #: the value as the page's language writes it ("1 234", "1,234")
    shown: str
    #: the tooltip of the bar, whole sentence
    tooltip: str


def nice_ticks(most: int) -> list[int]:
    """Round steps from 0 to at least `most`: 0, 5, 10, 15 rather than 0, 3.5, 7, 10.5."""
    if most <= 0:
        return [0, 1]
    rough = most / 4
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(power * f for f in (1, 2, 5, 10) if power * f >= rough)
    return list(range(0, step * math.ceil(most / step) + 1, step))


def _open(height: float, label: str, title: str, css_class: str) -> Markup:
    return Markup('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" class="chart {}" '
                  'role="img" aria-label="{}" preserveAspectRatio="xMinYMin meet"><title>{}</title>').format(
        WIDTH, _n(height), css_class, label, title)


def _n(number: float) -> str:
    """A coordinate, short: 12 rather than 12.000000001."""
    return f"{number:.1f}".removesuffix(".0")


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[:LABEL_CHARACTERS - 1] + "…"


def columns_with_line(bars: Sequence[Bar], line: Sequence[int], *, label: str, title: str,
                      number: Callable[[int], str] = str) -> Markup:
    """Vertical bars, one per step (a day), and a line through a running total on the same scale.

    `line` has a value per bar; `number` writes the scale's numbers as the page's language does.
    Only the first, middle and last bars are labelled under the axis: a month of dates
    would not fit a phone, and every bar's tooltip and the table beneath name its day.
    """
    height, left, right, top, bottom = 220, 40, 12, 12, 34
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    ticks = nice_ticks(max([*line, *(bar.value for bar in bars)], default=0))
    ceiling = ticks[-1]

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / ceiling

    slot = plot_w / max(len(bars), 1)
    bar_w = min(slot * 0.7, 28)
    parts = [_open(height, label, title, "chart-days")]
    for tick in ticks:
        parts.append(Markup('<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                            '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>').format(
            left, WIDTH - right, _n(y(tick)), _n(y(tick)), left - 6, _n(y(tick) + 4), number(tick)))
    centres = [left + slot * (i + 0.5) for i in range(len(bars))]
    for centre, bar in zip(centres, bars, strict=True):
        parts.append(Markup('<rect class="bar" x="{}" y="{}" width="{}" height="{}">'
                            '<title>{}</title></rect>').format(
            _n(centre - bar_w / 2), _n(y(bar.value)), _n(bar_w), _n(y(0) - y(bar.value)), bar.tooltip))
    points = " ".join(f"{_n(x)},{_n(y(value))}" for x, value in zip(centres, line, strict=True))
    parts.append(Markup('<polyline class="line" points="{}"/>').format(points))
    if len(bars) <= 31:
        parts.extend(Markup('<circle class="dot" cx="{}" cy="{}" r="3"/>').format(_n(x), _n(y(value)))
                     for x, value in zip(centres, line, strict=True))
    labelled = sorted({0, len(bars) // 2, len(bars) - 1}) if len(bars) > 2 else range(len(bars))
    for index in labelled:
        anchor = "middle"
        if len(bars) > 1 and index in (0, len(bars) - 1):  # the ends' labels stay inside the drawing
            anchor = "start" if index == 0 else "end"
        x = left if anchor == "start" else WIDTH - right if anchor == "end" else centres[index]
        parts.append(Markup('<text class="axis" x="{}" y="{}" text-anchor="{}">{}</text>').format(
            _n(x), height - 12, anchor, bars[index].label))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def horizontal_bars(bars: Sequence[Bar], *, label: str, title: str) -> Markup:
    """One bar per row, longest first as given, its label on the left and its number at its end."""
    row, label_w, number_w = 26, 150, 44
    height = row * len(bars) + 8
    longest = max((bar.value for bar in bars), default=0) or 1
    bar_room = WIDTH - label_w - number_w
    parts = [_open(height, label, title, "chart-countries")]
    for index, bar in enumerate(bars):
        top = 4 + index * row
        length = max(bar_room * bar.value / longest, 1)
        parts.append(Markup(
            '<g><title>{}</title>'
            '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>'
            '<rect class="bar" x="{}" y="{}" width="{}" height="{}"/>'
            '<text class="value" x="{}" y="{}">{}</text></g>').format(
            bar.tooltip, label_w - 8, _n(top + row / 2 + 4), _cut(bar.label),
            label_w, top + 4, _n(length), row - 8,
            _n(label_w + length + 5), _n(top + row / 2 + 4), bar.shown))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
