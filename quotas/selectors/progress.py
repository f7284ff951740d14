"""Live progress of the current (or any) period: actual vs effective target, attainment, pace.

Set-based: whatever the number of reps, one grouped query over the entries, plus a fixed number of
queries for plans, holidays and leave. Everything else is computed in memory.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization
from activities.models import ActivityEntry, ActivityType

from ..models import QuotaLine, QuotaPlanVersion
from ..periods import organization_period_bounds
from ..targets import EffectiveTarget, effective_target
from .calendar import Availability, availability, calendar_and_leave, quota_settings_get
from .plans import AppliedLine, lines_for_rep, plan_applies, points_version_for_rep, versions_in_force

AT_RISK_FROM = Decimal("0.8")  # of the pace: below is "behind"


class Status:
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    MET = "met"
    EXCEEDED = "exceeded"
    NO_TARGET = "no_target"


STATUS_LABELS = {
    Status.ON_TRACK: _("On track"),
    Status.AT_RISK: _("At risk"),
    Status.BEHIND: _("Behind"),
    Status.MET: _("Met"),
    Status.EXCEEDED: _("Exceeded"),
    Status.NO_TARGET: _("No target"),
}


@dataclass(frozen=True)
class Progress:
    """One target of one rep in one period, and how far along it is."""

    label: str
    version: QuotaPlanVersion
    target: EffectiveTarget
    actual: Decimal
    expected: Decimal  # what should be done by now, at an even pace over the rep's available days
    status: str
    money: bool = False
    line: QuotaLine | None = None  # None for the points target

    @property
    def attainment(self) -> Decimal | None:
        """actual / target in percent (None without a target)."""
        if not self.target.value:
            return None
        # Half up, as SQL's ROUND does in the close: the live and the frozen figure agree.
        return (self.actual / self.target.value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    @property
    def remaining(self) -> Decimal | None:
        if self.target.value is None:
            return None
        return max(self.target.value - self.actual, Decimal(0))

    @property
    def bar_percent(self) -> int:
        """For a progress bar: attainment capped at 100."""
        return min(int(self.attainment or 0), 100)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass(frozen=True)
class RepProgress:
    rep: Membership
    start: date
    end: date
    availability: Availability
    lines: list[Progress]
    points: Progress | None


def pace_status(*, actual: Decimal, target: Decimal | None, expected: Decimal, exceeded_tier: Decimal) -> str:
    if target is None:
        return Status.NO_TARGET
    if actual >= target * exceeded_tier:
        return Status.EXCEEDED
    if actual >= target:
        return Status.MET
    if actual >= expected:
        return Status.ON_TRACK
    if actual >= expected * AT_RISK_FROM:
        return Status.AT_RISK
    return Status.BEHIND


def _entry_totals(*, organization: Organization, reps, start: date, end: date):
    """One grouped query: per rep, type, topic and (normalised) contact, the summed quantity."""
    rows = (
        ActivityEntry.objects.filter(organization=organization, rep__in=reps, date__range=(start, end))
        .values("rep_id", "activity_type_id", "topic", contact_key=Lower(Trim("contact")))
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    totals = defaultdict(list)
    for row in rows:
        totals[row["rep_id"]].append(row)
    return totals


def _line_actual(line: QuotaLine, rows) -> Decimal:
    matching = [
        row for row in rows if row["activity_type_id"] == line.activity_type_id and (not line.topic or row["topic"] == line.topic)
    ]
    if line.distinct_contacts:
        return Decimal(len({row["contact_key"] for row in matching if row["contact_key"]}))
    return sum((row["total"] for row in matching), Decimal(0))


def _points_actual(rows, points: dict[int, Decimal]) -> Decimal:
    return sum((row["total"] * points[row["activity_type_id"]] for row in rows if row["activity_type_id"] in points), Decimal(0))


def progress_for_reps(*, organization: Organization, reps: list[Membership], kind: str, day: date) -> list[RepProgress]:
    """Progress of each rep in the period of `kind` containing `day`; pace counts the available days before
    `day` as done (so on the first morning nothing is expected yet)."""
    start, end = organization_period_bounds(organization, kind=kind, day=day)
    return progress_for_period(organization=organization, reps=reps, kind=kind, start=start, end=end, day=day)


@dataclass(frozen=True)
class LineTarget:
    """What one line (or the points target) asks of one rep in one period, before any entry is counted."""

    label: str
    version: QuotaPlanVersion
    target: EffectiveTarget
    money: bool
    line: QuotaLine | None  # None for the points target


@dataclass(frozen=True)
class RepTargets:
    rep: Membership
    availability: Availability
    lines: list[LineTarget]
    points: LineTarget | None


def targets_for_period(
    *, organization: Organization, reps: list[Membership], kind: str, start: date, end: date, settings=None
) -> list[RepTargets]:
    """Every rep's effective targets in [start, end]: the lines that apply, pro-rated. The live progress and
    the close both start from this, so a frozen target is the one the rep saw. Three queries (plans and their
    lines, holidays with leave) whatever the number of reps; `settings` saves a fourth when the caller has them."""
    versions = versions_in_force(organization=organization, kind=kind, period_start=start)
    if not versions or not reps:
        return [RepTargets(rep=rep, availability=Availability(0, 0, 0, 0), lines=[], points=None) for rep in reps]
    settings = settings or quota_settings_get(organization=organization)
    calendar, leave = calendar_and_leave(organization=organization, reps=reps, start=start, end=end, settings=settings)
    # Most reps share their availability and FTE: compute each distinct target (and its sentence) once.
    computed: dict[tuple, EffectiveTarget] = {}

    def target_of(full: Decimal, days: Availability, fte_percent: int, money: bool) -> EffectiveTarget:
        key = (full, days.scheduled, days.available, days.holidays, days.leave, days.outside_employment, fte_percent, money)
        if key not in computed:
            computed[key] = effective_target(
                target=full, availability=days, fte_percent=fte_percent, money=money, currency=organization.currency
            )
        return computed[key]

    # The same goes for availability: it differs only for reps who start, leave or take leave in the period.
    available: dict[tuple, Availability] = {}

    def availability_of(rep: Membership) -> Availability:
        leave_days = frozenset(leave.get(rep.pk, ()))
        starts = rep.employment_start if rep.employment_start and rep.employment_start > start else None
        ends = rep.employment_end if rep.employment_end and rep.employment_end < end else None
        key = (starts, ends, leave_days)
        if key not in available:
            available[key] = availability(calendar=calendar, rep=rep, leave_days=leave_days, start=start, end=end)
        return available[key]

    # Which plans apply to a rep decides their lines and points target: reps of one team share them.
    plans: dict[tuple[bool, ...], tuple] = {}

    def plans_of(rep: Membership) -> tuple[list[AppliedLine], QuotaPlanVersion | None]:
        key = tuple(plan_applies(version.plan, rep, start, end) for version in versions)
        if key not in plans:
            plans[key] = (
                lines_for_rep(rep=rep, versions=versions, start=start, end=end),
                points_version_for_rep(rep=rep, versions=versions, start=start, end=end),
            )
        return plans[key]

    result = []
    for rep in reps:
        days = availability_of(rep)
        applied_lines, points_version = plans_of(rep)
        lines = []
        for applied in applied_lines:
            line = applied.line
            money = line.activity_type.is_money and not line.distinct_contacts
            target = target_of(line.target, days, rep.fte_percent, money)
            lines.append(LineTarget(_line_label(line), applied.version, target, money, line))
        points = None
        if points_version is not None:
            target = target_of(points_version.points_target, days, rep.fte_percent, False)
            points = LineTarget(str(_("Points")), points_version, target, False, None)
        result.append(RepTargets(rep=rep, availability=days, lines=lines, points=points))
    return result


def progress_for_period(
    *, organization: Organization, reps: list[Membership], kind: str, start: date, end: date, day: date
) -> list[RepProgress]:
    """Progress in the period [start, end] as of `day` (the day after `end` for a final result)."""
    settings = quota_settings_get(organization=organization)
    targets = targets_for_period(
        organization=organization, reps=reps, kind=kind, start=start, end=end, settings=settings
    )
    if not any(rep_targets.lines or rep_targets.points for rep_targets in targets):
        return [
            RepProgress(rep=t.rep, start=start, end=end, availability=t.availability, lines=[], points=None)
            for t in targets
        ]
    totals = _entry_totals(organization=organization, reps=reps, start=start, end=end)
    points = {}  # the types' points: read only when a rep has a points target
    if any(rep_targets.points for rep_targets in targets):
        points = dict(
            ActivityType.objects.filter(organization=organization, points__isnull=False).values_list("pk", "points")
        )
    exceeded_tier = Decimal(settings.exceeded_tier_percent) / 100

    def measure(line_target: LineTarget, actual: Decimal, days: Availability) -> Progress:
        done_share = (
            Decimal(sum(1 for d in days.available_days if d < day)) / days.available if days.available else Decimal(0)
        )
        target = line_target.target
        expected = (target.value or Decimal(0)) * done_share
        status = pace_status(actual=actual, target=target.value, expected=expected, exceeded_tier=exceeded_tier)
        return Progress(
            line_target.label, line_target.version, target, actual, expected, status, line_target.money, line_target.line
        )

    result = []
    for rep_targets in targets:
        rep, days = rep_targets.rep, rep_targets.availability
        rows = totals.get(rep.pk, [])
        lines = [measure(lt, _line_actual(lt.line, rows), days) for lt in rep_targets.lines]
        points_progress = None
        if rep_targets.points is not None:
            points_progress = measure(rep_targets.points, _points_actual(rows, points), days)
        result.append(
            RepProgress(rep=rep, start=start, end=end, availability=days, lines=lines, points=points_progress)
        )
    return result


def _line_label(line: QuotaLine) -> str:
    label = line.activity_type.name
    if line.distinct_contacts:
        label = _("%(type)s (distinct contacts)") % {"type": label}
    if line.topic:
        label = _("%(type)s tagged “%(topic)s”") % {"type": label, "topic": line.topic}
    return str(label)
