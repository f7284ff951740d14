"""Closed results over time: per line of a rep's quota, actual vs target for a series of closed periods.

The rep detail page, the probation report (page and PDF) and the rep's own progress page draw their trend
charts from this. It reads the frozen snapshots of the current closes only, in two queries.
"""

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Membership, Organization

from ..models import Period, PeriodResult, PeriodStatus


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    actual: Decimal
    target: Decimal | None
    attainment: Decimal | None
    status: str  # a ResultStatus value


@dataclass(frozen=True)
class TrendLine:
    """One line of the quota (or "Points") across periods, oldest first; a period without a result for the
    line (not in the plan then) has no point."""

    label: str
    points: list[TrendPoint]


def last_closed_periods(*, organization: Organization, kind: str, count: int = 12) -> list[Period]:
    """The organization's last `count` closed periods of `kind`, oldest first."""
    periods = Period.objects.filter(organization=organization, kind=kind, status=PeriodStatus.CLOSED)
    return list(periods.order_by("-start")[:count])[::-1]


def rep_trend(*, organization: Organization, rep: Membership, periods: list[Period]) -> list[TrendLine]:
    """The rep's closed results in `periods`, grouped by line label, in the order the lines first appear.

    Lines are matched by label (activity type, topic, distinct contacts), so a line survives a new plan
    version that changed its target."""
    results = (
        PeriodResult.objects.filter(
            organization=organization,
            rep=rep,
            period__in=[period.pk for period in periods],
            period_close__superseded_at__isnull=True,
        )
        .select_related("line__activity_type")
        .order_by("line__activity_type__position", "line_id", "pk")
    )
    by_period = {period.pk: period for period in periods}
    order = {period.pk: index for index, period in enumerate(periods)}
    lines: dict[str, list[TrendPoint]] = {}
    for result in results:
        point = TrendPoint(
            period=by_period[result.period_id],
            actual=result.actual,
            target=result.target,
            attainment=result.attainment,
            status=result.status,
        )
        lines.setdefault(result.label, []).append(point)
    return [
        TrendLine(label=label, points=sorted(points, key=lambda point: order[point.period.pk]))
        for label, points in lines.items()
    ]
