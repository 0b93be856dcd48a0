"""The geometry of the dashboard's charts, drawn as SVG by the templates (``templates/staff/reports/_charts.html``):
no JavaScript, no external library, nothing inline that the Content-Security-Policy forbids (colours come from
classes in ``static/style.css``). Pure: numbers in, rectangles out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str  # the bucket's start, as shown under the axis


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    left: float  # the plot area
    top: float
    bottom: float  # y of the baseline
    right: float
    columns: tuple[Column, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    max_value: int


def nice_max(value: int) -> int:
    """The top of the axis: the value rounded up to 1, 2 or 5 times a power of ten (at least 1)."""
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


def column_chart(points: Sequence[tuple[str, int]], *, width: int = 720, height: int = 220,
                 max_x_labels: int = 12) -> ColumnChart:  # fmt: skip
    """Columns for ``(label, value)`` points in order, with a y axis of 0, half and the top, and at most
    ``max_x_labels`` labels under the axis."""
    left, right, top, bottom = 36.0, width - 8.0, 10.0, height - 28.0
    top_value = nice_max(max((v for _label, v in points), default=0))
    slot = (right - left) / max(len(points), 1)
    gap = min(slot * 0.2, 6.0)
    columns = []
    for i, (label, value) in enumerate(points):
        h = (bottom - top) * value / top_value
        columns.append(Column(left + i * slot + gap / 2, bottom - h, max(slot - gap, 1.0), h, value, label))
    step = max(1, math.ceil(len(points) / max_x_labels))
    x_ticks = tuple(Tick(c.x + c.width / 2, c.label) for i, c in enumerate(columns) if i % step == 0)
    y_values = sorted({0, top_value // 2, top_value}) if top_value > 1 else [0, 1]
    y_ticks = tuple(Tick(bottom - (bottom - top) * v / top_value, str(v)) for v in y_values)
    return ColumnChart(width, height, left, top, bottom, right, tuple(columns), y_ticks, x_ticks, top_value)


@dataclass(frozen=True)
class Segment:
    key: str
    x: float
    width: float
    value: int


def bar_width(value: int, largest: int, full: float = 200.0) -> float:
    """A bar's length for ``value`` when the largest value fills ``full``; a non-zero value is at least 2 wide."""
    if value <= 0 or largest <= 0:
        return 0.0
    return max(full * value / largest, 2.0)


def stacked(parts: Sequence[tuple[str, int]], full: float = 240.0) -> list[Segment]:
    """One bar split in proportion to ``(key, value)`` parts; empty parts are left out."""
    total = sum(v for _k, v in parts)
    segments: list[Segment] = []
    x = 0.0
    if total <= 0:
        return segments
    for key, value in parts:
        if value <= 0:
            continue
        w = full * value / total
        segments.append(Segment(key, x, w, value))
        x += w
    return segments
