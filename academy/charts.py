"""Horizontal bar charts drawn on the server as SVG: no chart library, no script, nothing from another host.

The template (templates/academy/statistics_chart.html) draws what `bar_chart` works out: per row a label line
("Berlin: 12") and below it a bar whose width is the value's share of the largest value. Widths are percentages
of the chart's width, so the chart fits a 360 px phone as well as a desktop without a viewBox that would shrink
the text. The numbers are in the table under each chart, which is what assistive technology reads.
"""

from dataclasses import dataclass

from django.utils.formats import number_format

ROW_HEIGHT = 40  # px per bar: a 13 px label line, the bar, some air
LABEL_Y = 14
BAR_Y = 20
BAR_HEIGHT = 14
LABEL_MAX = 45  # characters of a label in the chart (fits 360 px); the table shows it whole
# A chart of more bars than this (e.g. the rating of each of a year's events) would be metres long and tell
# nothing a reader could take in: such a figure shows its table only, which lists every row.
MAX_BARS = 30


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    width: float  # percent of the chart's width, 0 to 100
    label_y: int
    bar_y: int


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    bar_height: int = BAR_HEIGHT


def bar_chart(*, labels: list[str], values: list[float]) -> BarChart:
    """Bars for the values (None counts as 0); the largest value fills the width, and a value above 0 is
    at least a sliver wide so it does not look like nothing."""
    numbers = [float(value or 0) for value in values]
    largest = max(numbers, default=0)
    bars = []
    for index, (label, value) in enumerate(zip(labels, numbers, strict=True)):
        width = 0.0 if largest <= 0 else max(100 * value / largest, 0.5 if value > 0 else 0)
        text = str(label)
        if len(text) > LABEL_MAX:
            text = text[: LABEL_MAX - 1] + "…"
        top = index * ROW_HEIGHT
        bars.append(
            Bar(
                label=text,
                value_text=number_format(value if value % 1 else int(value), decimal_pos=None),
                width=round(width, 2),
                label_y=top + LABEL_Y,
                bar_y=top + BAR_Y,
            )
        )
    return BarChart(bars=bars, height=max(ROW_HEIGHT * len(bars), ROW_HEIGHT))
