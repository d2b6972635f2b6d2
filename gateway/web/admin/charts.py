"""Charts drawn on the server as SVG geometry: the template writes the shapes with attributes
only (no inline style, no script: the page's CSP allows neither), colours come from admin.css.

Each chart is also given to the page as a table (for screen readers and exact figures)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 420
ROW = 28
LABEL_WIDTH = 150
VALUE_GAP = 6
LINE_HEIGHT = 220
PAD = 36


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    y: int
    width: int
    text_y: int
    value_x: int


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars, one row each, scaled to the largest value."""

    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int


def bar_chart(items: Sequence[tuple[str, int]]) -> BarChart:
    largest = max((value for _, value in items), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 60
    bars = tuple(
        Bar(
            label=label,
            value=value,
            y=index * ROW + 4,
            width=max(1, round(room * value / largest)) if value else 0,
            text_y=index * ROW + 19,
            value_x=LABEL_WIDTH + (round(room * value / largest) if value else 0) + VALUE_GAP,
        )
        for index, (label, value) in enumerate(items)
    )
    return BarChart(bars, WIDTH, max(ROW, len(bars) * ROW + 8), LABEL_WIDTH, ROW - 8)


@dataclass(frozen=True, slots=True)
class Tick:
    label: str
    x: float


@dataclass(frozen=True, slots=True)
class LineChart:
    """Two series over weeks (median and p90 days) as polyline points, with axis ticks."""

    width: int
    height: int
    median_points: str
    p90_points: str
    ticks: tuple[Tick, ...]
    top_label: str
    baseline: float
    pad: int


def line_chart(weeks: Sequence[str], median: Sequence[float], p90: Sequence[float]) -> LineChart:
    top = max([*p90, *median, 1.0])
    inner_w, inner_h = WIDTH - 2 * PAD, LINE_HEIGHT - 2 * PAD
    step = inner_w / max(1, len(weeks) - 1)

    def x(index: int) -> float:
        return round(PAD + (index * step if len(weeks) > 1 else inner_w / 2), 1)

    def y(value: float) -> float:
        return round(PAD + inner_h - inner_h * value / top, 1)

    def points(values: Sequence[float]) -> str:
        return " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))

    ticks = tuple(Tick(label, x(i)) for i, label in enumerate(weeks))
    return LineChart(
        WIDTH, LINE_HEIGHT, points(median), points(p90), ticks, f"{top:g} days", PAD + inner_h, PAD
    )
