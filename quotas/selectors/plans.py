"""Which plan, version and lines apply to a rep in a period.

Per activity type the most specific applicable plan wins: a probation plan (in periods overlapping the
rep's probation window) over a rep's own plan, over their team's, over the organization's. Plans compete
within one period kind: a weekly and a monthly plan both apply.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, Team
from accounts.roles import Role

from ..models import SCOPE_PRECEDENCE, PeriodKind, PlanScope, QuotaLine, QuotaPlan, QuotaPlanVersion
from ..periods import organization_period_bounds
from ..targets import EffectiveTarget, effective_target, format_quantity
from .calendar import Availability, approved_leave_days, availability, calendar_get


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
    # Probation: the reps in probation during the period, of the plan's team when it has one.
    return probation_overlaps(rep, start, end) and (plan.team_id is None or rep.team_id == plan.team_id)


def versions_in_force(*, organization: Organization, kind: str, period_start: date) -> list[QuotaPlanVersion]:
    """For every live plan of this period kind, the version in force for a period starting on period_start: the
    newest that took effect by then. Older versions are left in the database (a plan edited every week for years
    would otherwise bring all its history, and their lines, to every page)."""
    superseded = QuotaPlanVersion.objects.filter(
        plan=OuterRef("plan"), effective_from__gt=OuterRef("effective_from"), effective_from__lte=period_start
    )
    return list(
        QuotaPlanVersion.objects.filter(
            organization=organization,
            plan__period_kind=kind,
            plan__archived_at__isnull=True,
            effective_from__lte=period_start,
        )
        .exclude(Exists(superseded))
        .select_related("plan")
        .prefetch_related(Prefetch("lines", queryset=QuotaLine.objects.select_related("activity_type")))
        .order_by("plan_id")
    )


@dataclass(frozen=True)
class AppliedLine:
    line: QuotaLine
    version: QuotaPlanVersion

    @property
    def plan(self) -> QuotaPlan:
        return self.version.plan


def specificity(plan: QuotaPlan) -> tuple[int, bool]:
    """How specific a plan is (higher wins): its scope, then — among probation plans — one team's before every
    team's, so that a manager's plan for their team's reps in probation is not undone by the organization's."""
    return SCOPE_PRECEDENCE[plan.scope], plan.team_id is not None


def _rank(version: QuotaPlanVersion) -> tuple:
    # Higher wins: the more specific plan, then the newer version, then the later plan (a stable tie-break).
    return (*specificity(version.plan), version.effective_from, version.plan_id)


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


# The plan pages: the list, a plan's version history, and the preview of a version before it is published.


def quota_plan_rows(*, organization: Organization, include_archived: bool = True) -> QuerySet[QuotaPlan]:
    """Plans for the list page, each with its versions and their lines: three queries for any number of plans."""
    return quota_plan_list(organization=organization, include_archived=include_archived).prefetch_related(
        "versions__lines"
    )


def plan_teams_editable_by(*, organization: Organization, actor: Membership) -> QuerySet[Team]:
    """The active teams whose plans `actor` may write: every team for admins and owners, the teams a manager leads."""
    teams = Team.objects.filter(organization=organization, archived_at__isnull=True)
    if actor.has_role_at_least(Role.ADMIN):
        pass
    elif actor.role == Role.MANAGER:
        teams = teams.filter(manager_links__membership=actor)
    else:
        teams = teams.none()
    return teams.order_by("name")


def version_in_force(plan: QuotaPlan, *, day: date) -> QuotaPlanVersion | None:
    """The version of `plan` that applies on `day` (from its prefetched versions); None before the first starts."""
    started = [version for version in plan.versions.all() if version.effective_from <= day]
    return max(started, key=lambda version: version.effective_from, default=None)


def version_scheduled(plan: QuotaPlan, *, day: date) -> QuotaPlanVersion | None:
    """The next version published ahead, that takes over after `day`; None when there is none."""
    upcoming = [version for version in plan.versions.all() if version.effective_from > day]
    return min(upcoming, key=lambda version: version.effective_from, default=None)


def quota_line_label(*, activity_type, topic: str = "", distinct_contacts: bool = False) -> str:
    """"Social contacts tagged “retirement planning”", as the progress pages name a line."""
    label = activity_type.name
    if distinct_contacts:
        label = _("%(type)s (distinct contacts)") % {"type": label}
    if topic:
        label = _("%(type)s tagged “%(topic)s”") % {"type": label, "topic": topic}
    return str(label)


def _label(line) -> str:
    return quota_line_label(
        activity_type=line.activity_type, topic=line.topic, distinct_contacts=line.distinct_contacts
    )


def line_target_text(line, *, currency: str = "") -> str:
    """A line's full target as shown: whole units for counts (and distinct contacts), an amount for money."""
    money = line.activity_type.is_money and not line.distinct_contacts
    return format_quantity(line.target, money=money, currency=currency)


@dataclass(frozen=True)
class LineRow:
    line: QuotaLine
    label: str
    target: str


@dataclass(frozen=True)
class VersionEntry:
    """One version in a plan's history, and what it changed compared with the version before it."""

    version: QuotaPlanVersion
    lines: list[LineRow]
    changes: list[str]  # empty for the first version
    state: str  # "past", "current" (in force today) or "scheduled"


def _line_key(line) -> tuple:
    return (line.activity_type_id, line.topic, line.distinct_contacts)


def _version_changes(previous: QuotaPlanVersion, version: QuotaPlanVersion, *, currency: str = "") -> list[str]:
    before = {_line_key(line): line for line in previous.lines.all()}
    after = {_line_key(line): line for line in version.lines.all()}

    def target(line) -> str:
        return line_target_text(line, currency=currency)

    changes = []
    for key, line in after.items():
        old = before.get(key)
        if old is None:
            changes.append(_("Added %(line)s: %(target)s") % {"line": _label(line), "target": target(line)})
        elif old.target != line.target:
            changes.append(
                _("%(line)s: %(old)s → %(new)s") % {"line": _label(line), "old": target(old), "new": target(line)}
            )
    for key, line in before.items():
        if key not in after:
            changes.append(_("Removed %(line)s (was %(target)s)") % {"line": _label(line), "target": target(line)})
    old_points, new_points = previous.points_target, version.points_target
    if old_points != new_points:
        if old_points is None:
            changes.append(_("Added a points target: %(new)s") % {"new": format_quantity(new_points, money=False)})
        elif new_points is None:
            changes.append(
                _("Removed the points target (was %(old)s)") % {"old": format_quantity(old_points, money=False)}
            )
        else:
            changes.append(
                _("Points target: %(old)s → %(new)s")
                % {"old": format_quantity(old_points, money=False), "new": format_quantity(new_points, money=False)}
            )
    return changes or [_("No change to the targets.")]


def quota_plan_history(*, plan: QuotaPlan, day: date, currency: str = "") -> list[VersionEntry]:
    """Every version of the plan, newest first, with its lines and its changes; `day` decides which is in force.
    `currency` (the organization's) writes money targets as amounts."""
    versions = list(quota_plan_versions(plan=plan))  # newest first
    in_force = next((version for version in versions if version.effective_from <= day), None)
    entries = []
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        rows = [
            LineRow(line=line, label=_label(line), target=line_target_text(line, currency=currency))
            for line in version.lines.all()
        ]
        state = "current" if version is in_force else ("scheduled" if version.effective_from > day else "past")
        changes = _version_changes(previous, version, currency=currency) if previous is not None else []
        entries.append(VersionEntry(version=version, lines=rows, changes=changes, state=state))
    return entries


@dataclass(frozen=True)
class PreviewTarget:
    label: str
    target: EffectiveTarget
    adjusted: bool  # the rep's target differs from the full one (days off, FTE): show the explanation
    replaced_by: QuotaPlan | None = None  # a more specific plan that sets this type for the rep instead
    money: bool = False  # an amount of the organization's currency


@dataclass(frozen=True)
class PreviewRow:
    rep: Membership
    availability: Availability
    targets: list[PreviewTarget]


@dataclass(frozen=True)
class PlanPreview:
    start: date
    end: date
    labels: list[str]
    rows: list[PreviewRow]


def _plan_reps(*, organization: Organization, plan: QuotaPlan, start: date, end: date) -> list[Membership]:
    """The active reps a plan applies to in [start, end] (one query)."""
    reps = Membership.objects.filter(organization=organization, role=Role.REP, is_active=True)
    if plan.scope == PlanScope.TEAM:
        reps = reps.filter(team_id=plan.team_id)
    elif plan.scope == PlanScope.REP:
        reps = reps.filter(pk=plan.rep_id)
    elif plan.scope == PlanScope.PROBATION:
        reps = reps.filter(Q(employment_start__isnull=True) | Q(employment_start__lte=end), probation_end__gte=start)
        if plan.team_id is not None:
            reps = reps.filter(team_id=plan.team_id)
    reps = reps.select_related("user", "team").order_by("user__first_name", "user__last_name", "user__email")
    return [rep for rep in reps if plan_applies(plan, rep, start, end)]


def _replaced_by(rep, competitors, *, precedence: tuple, start: date, end: date, sets_it) -> QuotaPlan | None:
    """The plan that wins over the previewed one for this rep: more specific, applying, and setting the same target."""
    winners = [
        version
        for version in competitors
        if specificity(version.plan) > precedence
        and sets_it(version)
        and plan_applies(version.plan, rep, start, end)
    ]
    return max(winners, key=_rank).plan if winners else None


def quota_plan_preview(
    *, organization: Organization, plan: QuotaPlan, lines: Sequence, points_target: Decimal | None, effective_from: date
) -> PlanPreview:
    """Who would get what target in the period a version starting on `effective_from` begins with.

    `plan` may be unsaved (a plan being created: its scope, team, rep and period kind are what counts);
    `lines` are LineData-like (activity_type, target, topic, distinct_contacts). For every rep the plan would
    apply to: each line's pro-rated target and why it differs, and whether a more specific plan replaces it
    for that rep. A fixed number of queries for any number of reps.
    """
    start, end = organization_period_bounds(organization, kind=plan.period_kind, day=effective_from)
    reps = _plan_reps(organization=organization, plan=plan, start=start, end=end)
    competitors = [
        version
        for version in versions_in_force(organization=organization, kind=plan.period_kind, period_start=start)
        if version.plan_id != plan.pk
    ]
    calendar = calendar_get(organization=organization, start=start, end=end)
    leave = approved_leave_days(organization=organization, reps=reps, start=start, end=end)
    precedence = specificity(plan)
    # What the plan sets: (label, full target, money?, "does a competing version set the same?") per column.
    columns = [
        (
            _label(line),
            line.target,
            line.activity_type.is_money and not line.distinct_contacts,
            lambda version, type_id=line.activity_type.pk: any(
                other.activity_type_id == type_id for other in version.lines.all()
            ),
        )
        for line in lines
    ]
    if points_target:
        columns.append((str(_("Points")), points_target, False, lambda version: bool(version.points_target)))
    rows = []
    for rep in reps:
        days = availability(calendar=calendar, rep=rep, leave_days=leave.get(rep.pk, set()), start=start, end=end)
        adjusted = days.available != days.scheduled or rep.fte_percent != 100
        targets = [
            PreviewTarget(
                label=label,
                target=effective_target(
                    target=full, availability=days, fte_percent=rep.fte_percent, money=money,
                    currency=organization.currency,
                ),
                adjusted=adjusted,
                replaced_by=_replaced_by(
                    rep, competitors, precedence=precedence, start=start, end=end, sets_it=sets_it
                ),
                money=money,
            )
            for label, full, money, sets_it in columns
        ]
        rows.append(PreviewRow(rep=rep, availability=days, targets=targets))
    return PlanPreview(start=start, end=end, labels=[column[0] for column in columns], rows=rows)
