"""The server-rendered trend chart: one point per closed period, round axis ticks, a visible target line."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.template import Context, Template

from quotas.charts import trend_chart
from quotas.selectors.trends import TrendLine, TrendPoint


def line(*figures):
    """figures: (actual, target) per monthly period."""
    return TrendLine(
        label="Outbound calls",
        points=[
            TrendPoint(period=SimpleNamespace(pk=n, kind="month", start=date(2026, n, 1)), actual=Decimal(actual),
                       target=None if target is None else Decimal(target), attainment=None, status="met")
            for n, (actual, target) in enumerate(figures, start=1)
        ],  # fmt: skip
    )


def test_one_circle_per_period_and_a_figures_table():
    html = Template('{% load quota_charts %}{% trend_chart line "c" %}').render(
        Context({"line": line((40, 50), (55, 50), (47, None))})
    )
    assert html.count('<circle class="point') == 3
    assert html.count('<circle class="point below"') == 1  # 40 of 50
    assert html.count("<tr><th scope=\"row\">") == 3


def test_axis_ticks_are_round_steps_above_the_highest_value():
    chart = trend_chart(line((40, 50), (47, 50)))
    assert [tick.value for tick in chart.ticks] == [0, 20, 40, 60]
    assert all(chart.plot_left <= point.x <= chart.plot_right for point in chart.points)


def test_a_single_period_still_shows_its_target_as_a_dash():
    chart = trend_chart(line((40, 50)))
    assert len(chart.target_path.split()) == 2
    (left, y1), (right, y2) = (pair.split(",") for pair in chart.target_path.split())
    assert y1 == y2 and float(left) < chart.points[0].x < float(right)
