"""What the progress page shows below the current progress: the streaks, the week at a glance, the rep's flags
(with a reply form), the latest closed results per period kind and their trend charts.

Kept apart from views/progress.py, which the Today panel shares; a fixed number of queries (two per period
kind with closed results, a handful for the rest), whatever the rep's history.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, Organization

from ..models import Period, PeriodKind
from ..selectors.flags import flag_access
from ..selectors.reps import Streak, default_kind, rep_flag_list, rep_result_kinds, rep_streaks
from ..selectors.trends import TrendLine, TrendPoint, last_closed_periods, rep_trend
from ..selectors.week import week_at_a_glance

CLOSED_COLUMNS = 4  # closed periods in the results table
TREND_PERIODS = 12
FLAG_LIMIT = 5


def streak_text(streak: Streak) -> str:
    """ "Plan met 3 weeks in a row", "Plan not met last month": in the kind's own words, so that each language
    can inflect them. A period without a target (leave) carries the streak over it."""
    if streak.plan_met is None and not streak.streak:
        return str(
            {
                PeriodKind.DAY: _("No target on the last closed day"),
                PeriodKind.WEEK: _("No target last week"),
                PeriodKind.MONTH: _("No target last month"),
                PeriodKind.QUARTER: _("No target last quarter"),
                PeriodKind.YEAR: _("No target last year"),
            }[streak.kind]
        )
    if streak.plan_met is False:
        return str(
            {
                PeriodKind.DAY: _("Plan not met on the last closed day"),
                PeriodKind.WEEK: _("Plan not met last week"),
                PeriodKind.MONTH: _("Plan not met last month"),
                PeriodKind.QUARTER: _("Plan not met last quarter"),
                PeriodKind.YEAR: _("Plan not met last year"),
            }[streak.kind]
        )
    count = streak.streak
    texts = {
        PeriodKind.DAY: ngettext("Plan met %(count)s day in a row", "Plan met %(count)s days in a row", count),
        PeriodKind.WEEK: ngettext("Plan met %(count)s week in a row", "Plan met %(count)s weeks in a row", count),
        PeriodKind.MONTH: ngettext("Plan met %(count)s month in a row", "Plan met %(count)s months in a row", count),
        PeriodKind.QUARTER: ngettext(
            "Plan met %(count)s quarter in a row", "Plan met %(count)s quarters in a row", count
        ),
        PeriodKind.YEAR: ngettext("Plan met %(count)s year in a row", "Plan met %(count)s years in a row", count),
    }
    return texts[streak.kind] % {"count": count}


@dataclass(frozen=True)
class ClosedRow:
    label: str
    cells: list[tuple[Period, TrendPoint | None]]  # per column: the period, its point (None: no such line then)


@dataclass(frozen=True)
class ClosedResults:
    """The rep's latest closed periods of one kind, line by line, and the lines' longer trend."""

    kind: str
    label: str
    periods: list[Period]  # the table's columns, oldest first
    rows: list[ClosedRow]
    trend: list[TrendLine]
    trend_count: int  # closed periods the trend covers


def closed_results(*, organization: Organization, rep: Membership, kind: str) -> ClosedResults | None:
    periods = last_closed_periods(organization=organization, kind=kind, count=TREND_PERIODS)
    lines = rep_trend(organization=organization, rep=rep, periods=periods)
    if not lines:
        return None
    columns = [p for p in periods if any(point.period.pk == p.pk for line in lines for point in line.points)]
    columns = columns[-CLOSED_COLUMNS:]
    rows = []
    for line in lines:
        by_period = {point.period.pk: point for point in line.points}
        rows.append(ClosedRow(label=line.label, cells=[(period, by_period.get(period.pk)) for period in columns]))
    return ClosedResults(
        kind=kind, label=str(PeriodKind(kind).label), periods=columns, rows=rows, trend=lines,
        trend_count=len({point.period.pk for line in lines for point in line.points}),
    )


def progress_extras(
    *, organization: Organization, viewer: Membership, rep: Membership, today: date, trend_kind: str | None = None
) -> dict:
    """Context for templates/quotas/partials/_progress_extras.html."""
    kinds = rep_result_kinds(organization=organization, rep=rep)
    results = [r for r in (closed_results(organization=organization, rep=rep, kind=kind) for kind in kinds) if r]
    chosen = default_kind([r.kind for r in results], trend_kind)
    trend = next((r for r in results if r.kind == chosen), None)
    access = flag_access(organization=organization, viewer=viewer)
    flags = rep_flag_list(organization=organization, rep=rep, limit=FLAG_LIMIT)
    return {
        "streaks": [(streak, streak_text(streak)) for streak in rep_streaks(organization=organization, rep=rep)],
        "week": week_at_a_glance(organization=organization, rep=rep, day=today),
        "flag_rows": [
            {"flag": flag, "comments": list(flag.comments.all()), "can_comment": access.may_comment(flag)}
            for flag in flags
        ],
        "closed_results": results,
        "trend": trend,
        "trend_charts": [(line, f"trend-{trend.kind}-{i}") for i, line in enumerate(trend.trend, 1)] if trend else [],
    }
