"""Which plan, version and lines apply to a rep in a period.

Per activity type the most specific applicable plan wins: a probation plan (in periods overlapping the
rep's probation window) over a rep's own plan, over their team's, over the organization's. Plans compete
within one period kind: a weekly and a monthly plan both apply.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import Membership, Organization

from ..models import SCOPE_PRECEDENCE, PeriodKind, PlanScope, QuotaLine, QuotaPlan, QuotaPlanVersion


def probation_overlaps(rep: Membership, start: date, end: date) -> bool:
    """The rep's probation window (employment start → probation end) overlaps [start, end]."""
    if rep.probation_end is None or rep.probation_end < start:
        return False
    return rep.employment_start is None or rep.employment_start <= end


def plan_applies(plan: QuotaPlan, rep: Membership, start: date, end: date) -> bool:
    if plan.scope == PlanScope.ORGANIZATION:
        return True
    if plan.scope == PlanScope.TEAM:
        return rep.team_id is not None and rep.team_id == plan.team_id
    if plan.scope == PlanScope.REP:
        return rep.pk == plan.rep_id
    return probation_overlaps(rep, start, end)


def versions_in_force(*, organization: Organization, kind: str, period_start: date) -> list[QuotaPlanVersion]:
    """For every live plan of this period kind, the version in force for a period starting on period_start."""
    versions = (
        QuotaPlanVersion.objects.filter(
            organization=organization,
            plan__period_kind=kind,
            plan__archived_at__isnull=True,
            effective_from__lte=period_start,
        )
        .select_related("plan")
        .prefetch_related(Prefetch("lines", queryset=QuotaLine.objects.select_related("activity_type")))
        .order_by("plan_id", "-effective_from")
    )
    latest: dict[int, QuotaPlanVersion] = {}
    for version in versions:
        latest.setdefault(version.plan_id, version)
    return list(latest.values())


@dataclass(frozen=True)
class AppliedLine:
    line: QuotaLine
    version: QuotaPlanVersion

    @property
    def plan(self) -> QuotaPlan:
        return self.version.plan


def _rank(version: QuotaPlanVersion) -> tuple:
    # Higher wins: scope first, then the newer version, then the later plan (a stable tie-break).
    return (SCOPE_PRECEDENCE[version.plan.scope], version.effective_from, version.plan_id)


def lines_for_rep(*, rep: Membership, versions: list[QuotaPlanVersion], start: date, end: date) -> list[AppliedLine]:
    """The lines that apply to `rep` in [start, end]: per activity type, all lines of the winning plan."""
    applicable = [v for v in versions if plan_applies(v.plan, rep, start, end)]
    winner_by_type: dict[int, QuotaPlanVersion] = {}
    for version in applicable:
        for line in version.lines.all():
            current = winner_by_type.get(line.activity_type_id)
            if current is None or _rank(version) > _rank(current):
                winner_by_type[line.activity_type_id] = version
    return [
        AppliedLine(line=line, version=version)
        for version in sorted(set(winner_by_type.values()), key=_rank, reverse=True)
        for line in version.lines.all()
        if winner_by_type[line.activity_type_id] is version
    ]


def points_version_for_rep(*, rep: Membership, versions: list[QuotaPlanVersion], start: date, end: date):
    """The most specific applicable version that sets a points target, or None."""
    candidates = [v for v in versions if v.points_target and plan_applies(v.plan, rep, start, end)]
    return max(candidates, key=_rank, default=None)


def quota_plan_list(*, organization: Organization, include_archived: bool = False) -> QuerySet[QuotaPlan]:
    plans = QuotaPlan.objects.filter(organization=organization).select_related("team", "rep__user")
    if not include_archived:
        plans = plans.filter(archived_at__isnull=True)
    return plans.prefetch_related(
        Prefetch("versions", queryset=QuotaPlanVersion.objects.order_by("-effective_from"))
    ).order_by("archived_at", "name")


def quota_plan_get(*, organization: Organization, pk: int) -> QuotaPlan:
    try:
        return quota_plan_list(organization=organization, include_archived=True).get(pk=pk)
    except QuotaPlan.DoesNotExist:
        raise Http404 from None


def quota_plan_versions(*, plan: QuotaPlan) -> QuerySet[QuotaPlanVersion]:
    """A plan's versions, newest first, with their lines (version history)."""
    return (
        QuotaPlanVersion.objects.filter(organization_id=plan.organization_id, plan=plan)
        .select_related("published_by")
        .prefetch_related(Prefetch("lines", queryset=QuotaLine.objects.select_related("activity_type")))
        .order_by("-effective_from")
    )


def live_plan_period_kinds(*, organization: Organization) -> list[str]:
    """The period kinds (day → year) of the organization's live plans: the periods a progress page shows."""
    kinds = set(
        QuotaPlan.objects.filter(organization=organization, archived_at__isnull=True)
        .values_list("period_kind", flat=True)
        .distinct()
    )
    return [kind for kind in PeriodKind.values if kind in kinds]
