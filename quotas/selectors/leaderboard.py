"""The leaderboard: every rep ranked by attainment or by points, for a current period or a closed one.

Attainment is the average of the rep's attainment over the lines with a target (the points target is not a
line: points rank on their own). A current period is measured live (`progress_for_period`, set-based); a
closed one from its frozen results, so that a rep's rank keeps the targets the period was closed with.
Points are the entries' quantities times the types' weights, for every rep whether or not a plan has a
points target. Equal scores share a rank (1, 1, 3). A fixed number of queries for any number of reps.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Sum

from accounts.models import Membership, Organization
from accounts.roles import Role
from activities.models import ActivityEntry

from ..models import Period, PeriodResult
from .progress import progress_for_period


class RankBy:
    ATTAINMENT = "attainment"
    POINTS = "points"
    CHOICES = (ATTAINMENT, POINTS)


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int | None  # None: nothing to rank by (no target in the period)
    rep: Membership
    attainment: Decimal | None  # average over the lines with a target, whole percent
    points: Decimal
    lines: int  # lines with a target that the average is over


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def rank(rows: list[LeaderboardRow], *, score: Callable[[LeaderboardRow], Decimal | None]) -> list[LeaderboardRow]:
    """Best first; equal scores share the rank of the first of them (1, 1, 3); rows without a score last,
    unranked. Names break ties in the order, never in the rank."""

    def name(row):
        return (row.rep.user.display_name.lower(), row.rep.pk)

    scored = sorted((row for row in rows if score(row) is not None), key=lambda row: (-score(row), name(row)))
    ranked, previous, previous_rank = [], None, 0
    for position, row in enumerate(scored, start=1):
        value = score(row)
        current_rank = previous_rank if value == previous else position
        ranked.append(LeaderboardRow(current_rank, row.rep, row.attainment, row.points, row.lines))
        previous, previous_rank = value, current_rank
    unscored = sorted((row for row in rows if score(row) is None), key=name)
    return ranked + [LeaderboardRow(None, row.rep, row.attainment, row.points, row.lines) for row in unscored]


def _points_by_rep(*, organization: Organization, reps, start: date, end: date) -> dict[int, Decimal]:
    """One grouped query: per rep, the sum of quantity × the type's points weight."""
    rows = (
        ActivityEntry.objects.filter(
            organization=organization, rep__in=reps, date__range=(start, end), activity_type__points__isnull=False
        )
        .values("rep_id")
        .annotate(points=Sum(F("quantity") * F("activity_type__points")))
        .order_by()
    )
    return {row["rep_id"]: row["points"] for row in rows}


def _ordered(rows: list[LeaderboardRow], by: str) -> list[LeaderboardRow]:
    if by == RankBy.POINTS:
        return rank(rows, score=lambda row: row.points)
    return rank(rows, score=lambda row: row.attainment)


def leaderboard_reps(*, organization: Organization) -> list[Membership]:
    """The organization's active reps (one query)."""
    return list(
        Membership.objects.filter(organization=organization, role=Role.REP, is_active=True).select_related(
            "user", "team"
        )
    )


def leaderboard_current(
    *, organization: Organization, kind: str, start: date, end: date, day: date, by: str = RankBy.ATTAINMENT
) -> list[LeaderboardRow]:
    """Every active rep in the open period [start, end] of `kind`, measured as of `day`."""
    reps = leaderboard_reps(organization=organization)
    progress = progress_for_period(organization=organization, reps=reps, kind=kind, start=start, end=end, day=day)
    points = _points_by_rep(organization=organization, reps=reps, start=start, end=end)
    rows = []
    for rep_progress in progress:
        attainments = [line.attainment for line in rep_progress.lines if line.attainment is not None]
        average = _whole(sum(attainments) / len(attainments)) if attainments else None
        rows.append(
            LeaderboardRow(
                rank=None,
                rep=rep_progress.rep,
                attainment=average,
                points=points.get(rep_progress.rep.pk, Decimal(0)),
                lines=len(attainments),
            )
        )
    return _ordered(rows, by)


def leaderboard_closed(
    *, organization: Organization, period: Period, by: str = RankBy.ATTAINMENT
) -> list[LeaderboardRow]:
    """Every rep with results in the closed `period` (its current close), from the frozen results."""
    results = PeriodResult.objects.filter(
        organization=organization, period=period, period_close__superseded_at__isnull=True
    )
    averages = {
        row["rep_id"]: (row["average"], row["lines"])
        for row in results.filter(line__isnull=False, attainment__isnull=False)
        .values("rep_id")
        .annotate(average=Avg("attainment"), lines=Count("pk"))
        .order_by()
    }
    reps = list(
        Membership.objects.filter(organization=organization, pk__in=results.values("rep_id")).select_related(
            "user", "team"
        )
    )
    points = _points_by_rep(organization=organization, reps=reps, start=period.start, end=period.end)
    rows = []
    for rep in reps:
        average, lines = averages.get(rep.pk, (None, 0))
        rows.append(
            LeaderboardRow(
                rank=None,
                rep=rep,
                attainment=_whole(Decimal(average)) if average is not None else None,
                points=points.get(rep.pk, Decimal(0)),
                lines=lines,
            )
        )
    return _ordered(rows, by)
