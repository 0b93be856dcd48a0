"""The charts' geometry: axis tops, columns, bars and stacked bars."""

from __future__ import annotations

import pytest

from app.reports import charts

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

NICE = [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (48, 50), (120, 200), (999, 1000)]


@pytest.mark.parametrize(("value", "top"), NICE)
def test_nice_max(value: int, top: int) -> None:
    assert charts.nice_max(value) == top


def test_columns_fill_the_plot_in_proportion() -> None:
    chart = charts.column_chart([("01/11", 0), ("02/11", 5), ("03/11", 10)], width=330, height=200)
    assert chart.max_value == 10
    heights = [c.height for c in chart.columns]
    assert heights[0] == 0 and heights[2] == pytest.approx(chart.bottom - chart.top)
    assert heights[1] == pytest.approx(heights[2] / 2)
    assert all(c.y + c.height == pytest.approx(chart.bottom) for c in chart.columns)
    xs = [c.x for c in chart.columns]
    assert xs == sorted(xs) and chart.left <= xs[0] and xs[-1] + chart.columns[-1].width <= chart.right
    assert [t.text for t in chart.y_ticks] == ["0", "5", "10"]


def test_at_most_so_many_labels_under_the_axis() -> None:
    chart = charts.column_chart([(str(i), i) for i in range(365)], max_x_labels=12)
    assert len(chart.x_ticks) <= 12 and chart.x_ticks[0].text == "0"


def test_an_empty_chart_has_an_axis() -> None:
    chart = charts.column_chart([])
    assert chart.columns == () and chart.max_value == 1


def test_bars_and_stacks() -> None:
    assert charts.bar_width(0, 10) == 0
    assert charts.bar_width(10, 10, 200) == 200
    assert charts.bar_width(1, 1000, 200) == 2.0  # a non-zero value stays visible
    segments = charts.stacked([("on_time", 3), ("late", 0), ("missed", 1)], full=200)
    assert [(s.key, s.x, s.width) for s in segments] == [("on_time", 0, 150), ("missed", 150, 50)]
    assert charts.stacked([("on_time", 0)]) == []
