"""Reads of the team dashboard and the organization overview: every rep × quota line of one period.

The current period is measured live (`progress_for_period`, the same numbers as the rep's Progress page); a
closed period is read from the frozen snapshots of its current close (PeriodResult, RepPeriodSummary, Flag).
Either way it is a fixed number of queries, whatever the number of reps: the reps come from one query
(already narrowed by the dashboard's filters), everything else is grouped by rep in memory.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization, Team
from accounts.roles import Role
from activities.selectors import reps_visible_to

from ..models import Flag, FlagKind, FlagStatus, Period, PeriodResult, PeriodStatus, RepPeriodSummary, ResultStatus
from ..periods import organization_period_bounds
from .plans import live_plan_period_kinds, probation_overlaps
from .progress import STATUS_LABELS, Status, progress_for_period

CLOSED_PERIODS_OFFERED = 53  # a year of weeks in the period picker; older ones still open by their id
POINTS_POSITION = 10**9  # the points target comes after every line

# A cell's status: the live pace statuses, plus "below minimum" of a closed result.
CELL_STATUS_LABELS = {**STATUS_LABELS, ResultStatus.BELOW_MINIMUM: ResultStatus.BELOW_MINIMUM.label}
LIVE_STATUSES = [Status.ON_TRACK, Status.AT_RISK, Status.BEHIND, Status.MET, Status.EXCEEDED, Status.NO_TARGET]
CLOSED_STATUSES = [ResultStatus.BELOW_MINIMUM, Status.MET, Status.EXCEEDED, Status.NO_TARGET]
NEEDS_ATTENTION = {Status.BEHIND, ResultStatus.BELOW_MINIMUM}


class PlanStatus:
    ALL_MET = "all_met"
    NOT_MET = "not_met"
    IN_PROGRESS = "in_progress"
    NO_TARGET = "no_target"


PLAN_STATUS_LABELS = {
    PlanStatus.ALL_MET: _("All met"),
    PlanStatus.NOT_MET: _("Not met"),
    PlanStatus.IN_PROGRESS: _("In progress"),
    PlanStatus.NO_TARGET: _("No target"),
}
# The order of the plan column when sorted: the reps who need a look first.
PLAN_STATUS_RANK = {PlanStatus.NOT_MET: 0, PlanStatus.IN_PROGRESS: 1, PlanStatus.ALL_MET: 2, PlanStatus.NO_TARGET: 3}


@dataclass(frozen=True)
class DashboardPeriod:
    """The period a dashboard shows: the current one of its kind (live) or a closed one (frozen)."""

    kind: str
    start: date
    end: date
    period: Period | None = None  # the closed period; None: the current period, measured live

    @property
    def closed(self) -> bool:
        return self.period is not None


@dataclass(frozen=True)
class Cell:
    """One line (or the points target) of one rep in the period."""

    label: str
    actual: Decimal
    target: Decimal | None
    status: str  # a live pace status (progress.Status) or a closed ResultStatus
    money: bool
    unit: str = ""
    position: int = 0  # the activity type's position: the column order

    @cached_property  # read by the sort, the cell, the row's mean and the totals: computed once
    def attainment(self) -> Decimal | None:
        if not self.target:
            return None
        return (self.actual / self.target * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    @property
    def bar_percent(self) -> int:
        return min(int(self.attainment or 0), 100)

    @property
    def status_label(self) -> str:
        return str(CELL_STATUS_LABELS[self.status])


@dataclass(frozen=True)
class LineColumn:
    """A line label present in the period, as a column of the dashboard."""

    key: str  # "line_0", "line_1"…: a column name that any label can have
    label: str
    money: bool
    unit: str


@dataclass
class DashboardRow:
    """One rep on the dashboard."""

    rep: Membership
    cells: dict[str, Cell]  # by line label
    plan_status: str
    streak: int
    open_flags: int  # the rep's open flags below a minimum or plan not met, of any period (the inbox's count)
    open_recognitions: int  # the rep's open "exceeded" flags, waiting to be recognised
    flagged: bool  # live: an open flag below a minimum or plan not met; closed: such a flag raised by this period
    in_probation: bool
    sort: dict = field(default_factory=dict)  # sort keys by column name (see quotas.tables_dashboard)

    @property
    def team(self) -> Team | None:
        return self.rep.team

    @property
    def name(self) -> str:
        return self.rep.user.display_name

    @property
    def exceeded(self) -> bool:
        return any(cell.status == Status.EXCEEDED for cell in self.cells.values())

    @property
    def needs_attention(self) -> bool:
        return any(cell.status in NEEDS_ATTENTION for cell in self.cells.values())

    @cached_property  # the cells do not change once the row is built
    def attainment(self) -> Decimal | None:
        """The mean of the rep's attainments over the lines that have a target."""
        values = [cell.attainment for cell in self.cells.values() if cell.attainment is not None]
        if not values:
            return None
        return (sum(values) / len(values)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    @property
    def plan_status_label(self) -> str:
        return str(PLAN_STATUS_LABELS[self.plan_status])


@dataclass(frozen=True)
class LineTotal:
    label: str
    actual: Decimal
    target: Decimal
    money: bool

    @property
    def attainment(self) -> Decimal | None:
        if not self.target:
            return None
        return (self.actual / self.target * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Dashboard:
    period: DashboardPeriod
    lines: list[LineColumn]
    rows: list[DashboardRow]


# The period ------------------------------------------------------------------------------------------------


def dashboard_kinds(*, organization: Organization) -> list[str]:
    """The period kinds a dashboard offers: those of the organization's live plans, day → year."""
    return live_plan_period_kinds(organization=organization)


def dashboard_closed_periods(*, organization: Organization, kind: str) -> list[Period]:
    """The closed periods of `kind` offered in the picker, newest first."""
    periods = Period.objects.filter(organization=organization, kind=kind, status=PeriodStatus.CLOSED)
    return list(periods.order_by("-start")[:CLOSED_PERIODS_OFFERED])


def dashboard_period_get(*, organization: Organization, pk: int) -> Period:
    """A closed period of the organization; another organization's, or one not closed, is 404."""
    try:
        return Period.objects.get(organization=organization, pk=pk, status=PeriodStatus.CLOSED)
    except Period.DoesNotExist:
        raise Http404 from None


def dashboard_period(*, organization: Organization, kind: str, period: Period | None = None) -> DashboardPeriod:
    """The closed `period`, or the current period of `kind` in the organization's calendar."""
    if period is not None:
        return DashboardPeriod(kind=period.kind, start=period.start, end=period.end, period=period)
    start, end = organization_period_bounds(organization, kind=kind, day=organization.local_today())
    return DashboardPeriod(kind=kind, start=start, end=end)


# Whose rows ------------------------------------------------------------------------------------------------


def dashboard_reps(*, organization: Organization, viewer: Membership) -> QuerySet[Membership]:
    """The reps the viewer may see on a dashboard: their teams' (manager), everyone's (admin, owner)."""
    return reps_visible_to(organization=organization, viewer=viewer)


def dashboard_teams(*, organization: Organization, viewer: Membership) -> QuerySet[Team]:
    """The teams a dashboard can be narrowed to: the teams a manager leads; every live team for admins."""
    teams = Team.objects.filter(organization=organization)
    if viewer.role == Role.MANAGER:
        teams = teams.filter(manager_links__membership=viewer)
    elif not viewer.has_role_at_least(Role.ADMIN):
        teams = teams.none()
    return teams.filter(archived_at__isnull=True).order_by("name")


def in_probation(*, start: date, end: date) -> Q:
    """Reps whose probation window overlaps [start, end] (the rule of plans.probation_overlaps, in SQL)."""
    return Q(probation_end__gte=start) & (Q(employment_start__isnull=True) | Q(employment_start__lte=end))


def _employed_in(reps: QuerySet[Membership], *, start: date, end: date) -> QuerySet[Membership]:
    """Reps employed in [start, end] and active then: the reps the period's close will measure."""
    return (
        reps.filter(Q(employment_start__isnull=True) | Q(employment_start__lte=end))
        .filter(Q(employment_end__isnull=True) | Q(employment_end__gte=start))
        .filter(Q(is_active=True) | Q(deactivated_at__date__gte=start))
    )


def _flag_counts(flags: QuerySet[Flag]) -> tuple[dict[int, int], dict[int, int]]:
    """Per rep: the flags to follow up (below a minimum, plan not met) and the exceeded targets to recognise, counted
    apart so that a rep who exceeds every week does not look like one with problems. One query."""
    attention: dict[int, int] = defaultdict(int)
    recognition: dict[int, int] = defaultdict(int)
    for row in flags.values("rep_id", "kind").annotate(count=Count("pk")).order_by():
        counts = recognition if row["kind"] == FlagKind.EXCEEDED else attention
        counts[row["rep_id"]] += row["count"]
    return attention, recognition


# The rows --------------------------------------------------------------------------------------------------


def team_dashboard(
    *, organization: Organization, period: DashboardPeriod, reps: QuerySet[Membership], today: date | None = None
) -> Dashboard:
    """Every rep of `reps` (a queryset the caller has scoped to the viewer and filtered) in `period`."""
    today = today or organization.local_today()
    if period.closed:
        rows = _closed_rows(organization=organization, period=period, reps=reps)
    else:
        rows = _live_rows(organization=organization, period=period, reps=reps, today=today)
    return Dashboard(period=period, lines=_line_columns(rows), rows=rows)


def _live_rows(*, organization: Organization, period: DashboardPeriod, reps, today: date) -> list[DashboardRow]:
    latest_summary = RepPeriodSummary.objects.filter(
        organization=organization,
        rep=OuterRef("pk"),
        period__kind=period.kind,
        period__end__lt=period.start,
        period_close__superseded_at__isnull=True,
    ).order_by("-period__end")
    reps = list(
        _employed_in(reps, start=period.start, end=period.end).annotate(
            latest_streak=Subquery(latest_summary.values("streak")[:1])
        )
    )
    open_flags = Flag.objects.filter(organization=organization, status=FlagStatus.OPEN, rep__in=[r.pk for r in reps])
    attention, recognition = _flag_counts(open_flags)
    currency = organization.currency
    ended = period.end < today
    rows = []
    for progress in progress_for_period(
        organization=organization, reps=reps, kind=period.kind, start=period.start, end=period.end, day=today
    ):
        rep = progress.rep
        cells = {}
        for line in [*progress.lines, *([progress.points] if progress.points else [])]:
            activity_type = line.line.activity_type if line.line else None
            cells[line.label] = Cell(
                label=line.label,
                actual=line.actual,
                target=line.target.value,
                status=line.status,
                money=line.money,
                unit=(activity_type.unit_label or currency) if line.money else "",
                position=activity_type.position if activity_type else POINTS_POSITION,
            )
        rows.append(
            DashboardRow(
                rep=rep,
                cells=cells,
                plan_status=_live_plan_status(cells, ended=ended),
                streak=rep.latest_streak or 0,
                open_flags=attention.get(rep.pk, 0),
                open_recognitions=recognition.get(rep.pk, 0),
                flagged=rep.pk in attention,
                in_probation=probation_overlaps(rep, period.start, period.end),
            )
        )
    return rows


def _live_plan_status(cells: dict[str, Cell], *, ended: bool) -> str:
    with_target = [cell for cell in cells.values() if cell.target is not None]
    if not with_target:
        return PlanStatus.NO_TARGET
    if all(cell.status in (Status.MET, Status.EXCEEDED) for cell in with_target):
        return PlanStatus.ALL_MET
    # The period is over but not closed yet (within the grace): what is missing will not come.
    return PlanStatus.NOT_MET if ended else PlanStatus.IN_PROGRESS


def _closed_rows(*, organization: Organization, period: DashboardPeriod, reps) -> list[DashboardRow]:
    current = {
        "organization": organization,
        "period": period.period,
        "period_close__superseded_at__isnull": True,
        "rep__in": reps.values("pk"),
    }
    summaries = (
        RepPeriodSummary.objects.filter(**current)
        .select_related("rep__user", "rep__team")
        .order_by("rep__user__first_name", "rep__user__last_name", "rep__user__email")
    )
    results = defaultdict(list)
    for result in PeriodResult.objects.filter(**current).select_related("line__activity_type").order_by("pk"):
        results[result.rep_id].append(result)
    open_flags = Flag.objects.filter(organization=organization, status=FlagStatus.OPEN, rep__in=reps.values("pk"))
    attention, recognition = _flag_counts(open_flags)  # what needs acting on now, as the inbox shows it
    flagged, _exceeded = _flag_counts(Flag.objects.filter(**current))  # raised by this period, acknowledged or not
    currency = organization.currency
    rows = []
    for summary in summaries:
        rep = summary.rep
        cells = {}
        for result in results.get(rep.pk, []):
            activity_type = result.line.activity_type if result.line else None
            money = bool(activity_type and activity_type.is_money and not result.line.distinct_contacts)
            cells[result.label] = Cell(
                label=result.label,
                actual=result.actual,
                target=result.target,
                status=result.status,
                money=money,
                unit=(activity_type.unit_label or currency) if money else "",
                position=activity_type.position if activity_type else POINTS_POSITION,
            )
        if summary.plan_met:
            plan_status = PlanStatus.ALL_MET
        elif any(cell.target is not None for cell in cells.values()):
            plan_status = PlanStatus.NOT_MET
        else:
            plan_status = PlanStatus.NO_TARGET
        rows.append(
            DashboardRow(
                rep=rep,
                cells=cells,
                plan_status=plan_status,
                streak=summary.streak,
                open_flags=attention.get(rep.pk, 0),
                open_recognitions=recognition.get(rep.pk, 0),
                flagged=rep.pk in flagged,
                in_probation=probation_overlaps(rep, period.start, period.end),
            )
        )
    return rows


def _line_columns(rows: list[DashboardRow]) -> list[LineColumn]:
    """The line labels present in the rows, in the activity types' order (the points target last)."""
    first: dict[str, Cell] = {}
    for row in rows:
        for label, cell in row.cells.items():
            first.setdefault(label, cell)
    ordered = sorted(first.values(), key=lambda cell: (cell.position, cell.label))
    return [
        LineColumn(key=f"line_{index}", label=cell.label, money=cell.money, unit=cell.unit)
        for index, cell in enumerate(ordered)
    ]


# Filters and totals over the rows (in memory: what the table shows) --------------------------------------------


def dashboard_rows_filter(rows: list[DashboardRow], *, status: str = "", plan: str = "") -> list[DashboardRow]:
    """Rows with at least one line in `status`, and with the plan status `plan` (empty: any)."""
    if status:
        rows = [row for row in rows if any(cell.status == status for cell in row.cells.values())]
    if plan:
        rows = [row for row in rows if row.plan_status == plan]
    return rows


def dashboard_totals(rows: list[DashboardRow], lines: list[LineColumn]) -> dict[str, LineTotal]:
    """Per line: the sum of the rows' actuals and targets (a rep without a target adds only their actual)."""
    totals = {}
    for line in lines:
        cells = [row.cells[line.label] for row in rows if line.label in row.cells]
        totals[line.label] = LineTotal(
            label=line.label,
            actual=sum((cell.actual for cell in cells), Decimal(0)),
            target=sum((cell.target for cell in cells if cell.target is not None), Decimal(0)),
            money=line.money,
        )
    return totals


def mean_attainment(rows: list[DashboardRow]) -> Decimal | None:
    """The mean of the rows' attainments (reps without any target left out)."""
    values = [row.attainment for row in rows if row.attainment is not None]
    if not values:
        return None
    return (sum(values) / len(values)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
