"""The server-drawn charts of the dashboard: bars scale to the largest value, lines to the
largest p90, and nothing is drawn for an empty series."""

from __future__ import annotations

from gateway.web.admin.charts import LABEL_WIDTH, VALUE_GAP, WIDTH, bar_chart, line_chart


def test_the_largest_bar_fills_the_room_and_the_others_scale() -> None:
    chart = bar_chart([("subpoena", 4), ("authorization", 2), ("tpo", 0)])
    widths = [bar.width for bar in chart.bars]
    room = WIDTH - LABEL_WIDTH - 60
    assert widths == [room, room // 2, 0]
    assert chart.bars[2].value_x == LABEL_WIDTH + VALUE_GAP
    assert [bar.y for bar in chart.bars] == sorted(bar.y for bar in chart.bars)
    assert chart.height >= len(chart.bars) * chart.bar_height


def test_an_empty_bar_chart_has_no_bars() -> None:
    assert bar_chart([]).bars == ()


def test_the_line_chart_puts_the_top_value_at_the_top() -> None:
    chart = line_chart(["02 Nov", "09 Nov"], [2.0, 3.0], [2.0, 6.0])
    last_p90 = chart.p90_points.split()[-1]
    assert float(last_p90.split(",")[1]) == chart.pad
    assert chart.top_label == "6 days"
    assert [tick.label for tick in chart.ticks] == ["02 Nov", "09 Nov"]
