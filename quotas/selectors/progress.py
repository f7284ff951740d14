"""Live progress of the current (or any) period: actual vs effective target, attainment, pace.

Set-based: whatever the number of reps, one grouped query over the entries, plus a fixed number of
queries for plans, holidays and leave. Everything else is computed in memory.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization
from activities.models import ActivityEntry, ActivityType

from ..models import QuotaLine, QuotaPlanVersion
from ..periods import organization_period_bounds
from ..targets import EffectiveTarget, effective_target
from .calendar import Availability, approved_leave_days, availability, calendar_get, quota_settings_get
from .plans import lines_for_rep, points_version_for_rep, versions_in_force

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
        return (self.actual / self.target.value * 100).quantize(Decimal("1"))

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


def progress_for_period(
    *, organization: Organization, reps: list[Membership], kind: str, start: date, end: date, day: date
) -> list[RepProgress]:
    """Progress in the period [start, end] as of `day` (the day after `end` for a final result)."""
    versions = versions_in_force(organization=organization, kind=kind, period_start=start)
    if not versions or not reps:
        return [
            RepProgress(rep=rep, start=start, end=end, availability=Availability(0, 0, 0, 0), lines=[], points=None)
            for rep in reps
        ]
    settings = quota_settings_get(organization=organization)
    calendar = calendar_get(organization=organization, start=start, end=end, settings=settings)
    leave = approved_leave_days(organization=organization, reps=reps, start=start, end=end)
    totals = _entry_totals(organization=organization, reps=reps, start=start, end=end)
    points = dict(
        ActivityType.objects.filter(organization=organization, points__isnull=False).values_list("pk", "points")
    )
    exceeded_tier = Decimal(settings.exceeded_tier_percent) / 100

    def measure(label, version, target: EffectiveTarget, actual, days: Availability, money=False, line=None):
        done_share = (
            Decimal(sum(1 for d in days.available_days if d < day)) / days.available if days.available else Decimal(0)
        )
        expected = (target.value or Decimal(0)) * done_share
        status = pace_status(actual=actual, target=target.value, expected=expected, exceeded_tier=exceeded_tier)
        return Progress(label, version, target, actual, expected, status, money, line)

    result = []
    for rep in reps:
        days = availability(calendar=calendar, rep=rep, leave_days=leave.get(rep.pk, set()), start=start, end=end)
        rows = totals.get(rep.pk, [])
        lines = []
        for applied in lines_for_rep(rep=rep, versions=versions, start=start, end=end):
            line = applied.line
            money = line.activity_type.is_money and not line.distinct_contacts
            target = effective_target(target=line.target, availability=days, fte_percent=rep.fte_percent, money=money)
            lines.append(measure(_line_label(line), applied.version, target, _line_actual(line, rows), days, money, line))
        points_version = points_version_for_rep(rep=rep, versions=versions, start=start, end=end)
        points_progress = None
        if points_version is not None:
            target = effective_target(
                target=points_version.points_target, availability=days, fte_percent=rep.fte_percent, money=False
            )
            points_progress = measure(str(_("Points")), points_version, target, _points_actual(rows, points), days)
        result.append(RepProgress(rep=rep, start=start, end=end, availability=days, lines=lines, points=points_progress))
    return result


def _line_label(line: QuotaLine) -> str:
    label = line.activity_type.name
    if line.distinct_contacts:
        label = _("%(type)s (distinct contacts)") % {"type": label}
    if line.topic:
        label = _("%(type)s tagged “%(topic)s”") % {"type": label, "topic": line.topic}
    return str(label)
