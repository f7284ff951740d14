"""Server-rendered SVG trend charts (no JavaScript, no CDN): actual vs target per closed period.

`trend_chart` turns a TrendLine into coordinates; templates/quotas/partials/_trend_chart.html draws them
as an SVG with a title and a data table for screen readers and for anyone who prefers numbers.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format

from .selectors.trends import TrendLine

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 32  # margins for the axis labels
TICKS = 4


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str  # the period, e.g. "Oct 2026" or "2026-11-02"
    actual: Decimal
    target: Decimal | None
    met: bool


@dataclass(frozen=True)
class Tick:
    y: float
    value: Decimal


@dataclass(frozen=True)
class Chart:
    label: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_bottom: int
    points: list[ChartPoint]
    actual_path: str  # SVG polyline points "x,y x,y …"
    target_path: str
    ticks: list[Tick]


def _period_label(period) -> str:
    """Short enough for twelve labels side by side: "Oct ’26" for a month or longer, "2 Nov" for a week or day."""
    if period.kind in ("month", "quarter", "year"):
        return f"{date_format(period.start, 'M')} ’{date_format(period.start, 'y')}"
    return date_format(period.start, "j M")


def _nice_step(value: Decimal) -> Decimal:
    """A round tick step for an axis up to `value`: 1, 2 or 5 times a power of ten, about TICKS steps, at least 1."""
    raw = value / TICKS
    if raw <= 1:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1)
    for step in (1, 2, 5, 10):
        if raw <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def trend_chart(line: TrendLine, *, width: int = WIDTH, height: int = HEIGHT) -> Chart:
    plot_width = width - LEFT - RIGHT
    plot_height = height - TOP - BOTTOM
    values = [point.actual for point in line.points] + [point.target for point in line.points if point.target]
    highest = max(values, default=Decimal(0))
    step = _nice_step(highest)
    steps = max(math.ceil(highest / step), 1)  # the top tick is at or above the highest value
    top = step * steps
    count = len(line.points)

    def x(index: int) -> float:
        return round(LEFT + (plot_width * (index + 0.5) / count if count else 0), 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_height * float(1 - value / top), 1)

    points = [
        ChartPoint(
            x=x(index),
            y=y(point.actual),
            label=_period_label(point.period),
            actual=point.actual,
            target=point.target,
            met=point.target is None or point.actual >= point.target,
        )
        for index, point in enumerate(line.points)
    ]
    targets = [(x(index), y(point.target)) for index, point in enumerate(line.points) if point.target is not None]
    if len(targets) == 1:  # one point draws no line: a short dash across the period instead
        (target_x, target_y), half = targets[0], plot_width / count * 0.4
        targets = [(round(target_x - half, 1), target_y), (round(target_x + half, 1), target_y)]
    return Chart(
        label=line.label,
        width=width,
        height=height,
        plot_left=LEFT,
        plot_right=width - RIGHT,
        plot_bottom=height - BOTTOM,
        points=points,
        actual_path=" ".join(f"{p.x},{p.y}" for p in points),
        target_path=" ".join(f"{tx},{ty}" for tx, ty in targets),
        ticks=[Tick(y=y(step * n), value=step * n) for n in range(steps + 1)],
    )
