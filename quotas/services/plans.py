"""Quota plans: create, publish a new version, archive. History is never rewritten.

A new plan's first version applies from the current period; every later change is a new version effective
from the start of the next period (or a later period the manager picks), so past and closed periods keep
the targets they had.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, Team
from accounts.roles import Role
from activities.models import ActivityType
from activities.services.entries import normalize_topic

from ..models import PlanScope, QuotaLine, QuotaPlan, QuotaPlanVersion
from ..periods import organization_period_bounds


@dataclass(frozen=True)
class LineData:
    activity_type: ActivityType
    target: Decimal
    topic: str = ""
    distinct_contacts: bool = False


def plan_editable_by(*, actor: Membership, scope: str, team: Team | None, rep: Membership | None) -> bool:
    """Admins and owners edit every plan; managers the plans of teams they lead, of those teams' reps, and of those
    teams' reps in probation."""
    if actor.has_role_at_least(Role.ADMIN):
        return True
    if actor.role != Role.MANAGER:
        return False
    led = set(actor.team_links.values_list("team_id", flat=True))
    if scope in (PlanScope.TEAM, PlanScope.PROBATION):
        return team is not None and team.pk in led
    if scope == PlanScope.REP:
        return rep is not None and rep.team_id in led
    return False


def _check_may_edit(*, actor, scope, team, rep):
    if not plan_editable_by(actor=actor, scope=scope, team=team, rep=rep):
        raise PermissionDenied(_("You can only edit plans for the teams you lead and their reps."))


def _check_targets(*, organization: Organization, scope, team, rep, lines: list[LineData], points_target) -> None:
    if team is not None and team.organization_id != organization.pk:
        raise ValidationError({"team": _("That team does not exist.")})
    if rep is not None and (rep.organization_id != organization.pk or rep.role != Role.REP):
        raise ValidationError({"rep": _("That sales rep does not exist.")})
    if not lines and not points_target:
        raise ValidationError(_("Add at least one line or a points target."))
    if points_target is not None and points_target <= 0:
        raise ValidationError({"points_target": _("A target must be above 0.")})
    seen = set()
    for line in lines:
        if line.activity_type.organization_id != organization.pk or line.activity_type.is_archived:
            raise ValidationError(_("That activity type does not exist."))
        if line.target is None or line.target <= 0:
            raise ValidationError(_("A target must be above 0."))
        if not line.activity_type.is_money and line.target != line.target.to_integral_value():
            raise ValidationError(
                _("%(type)s is counted in whole numbers: use a whole target.") % {"type": line.activity_type.name}
            )
        key = (line.activity_type.pk, normalize_topic(line.topic), line.distinct_contacts)
        if key in seen:
            raise ValidationError(
                _("%(type)s has two identical lines: keep one.") % {"type": line.activity_type.name}
            )
        seen.add(key)


def _check_effective_from(*, organization: Organization, kind: str, effective_from: date, earliest: date) -> None:
    start, _end = organization_period_bounds(organization, kind=kind, day=effective_from)
    if start != effective_from:
        raise ValidationError(
            {"effective_from": _("A version starts with a period: pick %(date)s.") % {"date": date_format(start)}}
        )
    if effective_from < earliest:
        raise ValidationError(
            {
                "effective_from": _(
                    "A change can start on %(date)s at the earliest: current and past periods keep their targets."
                )
                % {"date": date_format(earliest)}
            }
        )


def next_period_start(*, organization: Organization, kind: str) -> date:
    _start, end = organization_period_bounds(organization, kind=kind, day=organization.local_today())
    return end + timedelta(days=1)


def current_period_start(*, organization: Organization, kind: str) -> date:
    return organization_period_bounds(organization, kind=kind, day=organization.local_today())[0]


def _create_version(*, organization, plan, actor, lines, points_target, effective_from, note) -> QuotaPlanVersion:
    number = (QuotaPlanVersion.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1
    version = QuotaPlanVersion(
        organization=organization,
        plan=plan,
        number=number,
        effective_from=effective_from,
        points_target=points_target,
        note=note,
        published_by=actor.user,
    )
    version.full_clean()
    version.save()
    QuotaLine.objects.bulk_create(
        QuotaLine(
            organization=organization,
            version=version,
            activity_type=line.activity_type,
            target=line.target,
            topic=normalize_topic(line.topic),
            distinct_contacts=line.distinct_contacts,
        )
        for line in lines
    )
    return version


@transaction.atomic
def quota_plan_create(
    *,
    organization: Organization,
    actor: Membership,
    name: str,
    period_kind: str,
    scope: str,
    team: Team | None = None,
    rep: Membership | None = None,
    lines: list[LineData],
    points_target: Decimal | None = None,
    effective_from: date | None = None,
    note: str = "",
) -> QuotaPlan:
    """Create a plan and publish its first version (from the current period unless a later one is chosen)."""
    team = team if scope in (PlanScope.TEAM, PlanScope.PROBATION) else None
    rep = rep if scope == PlanScope.REP else None
    _check_targets(organization=organization, scope=scope, team=team, rep=rep, lines=lines, points_target=points_target)
    _check_may_edit(actor=actor, scope=scope, team=team, rep=rep)
    earliest = current_period_start(organization=organization, kind=period_kind)
    effective_from = effective_from or earliest
    _check_effective_from(organization=organization, kind=period_kind, effective_from=effective_from, earliest=earliest)
    plan = QuotaPlan(
        organization=organization, name=name.strip(), period_kind=period_kind, scope=scope, team=team, rep=rep,
        created_by=actor.user,
    )  # fmt: skip
    plan.full_clean()
    plan.save()
    _create_version(
        organization=organization, plan=plan, actor=actor, lines=lines, points_target=points_target,
        effective_from=effective_from, note=note,
    )  # fmt: skip
    return plan


@transaction.atomic
def quota_plan_publish(
    *,
    organization: Organization,
    actor: Membership,
    plan: QuotaPlan,
    lines: list[LineData],
    points_target: Decimal | None = None,
    effective_from: date | None = None,
    note: str = "",
) -> QuotaPlanVersion:
    """Publish changed targets as a new version, from the next period at the earliest."""
    if plan.organization_id != organization.pk:
        raise ValidationError(_("That plan does not exist."))
    if plan.is_archived:
        raise ValidationError(_("This plan is archived."))
    _check_may_edit(actor=actor, scope=plan.scope, team=plan.team, rep=plan.rep)
    _check_targets(
        organization=organization, scope=plan.scope, team=plan.team, rep=plan.rep, lines=lines,
        points_target=points_target,
    )  # fmt: skip
    earliest = next_period_start(organization=organization, kind=plan.period_kind)
    effective_from = effective_from or earliest
    _check_effective_from(
        organization=organization, kind=plan.period_kind, effective_from=effective_from, earliest=earliest
    )
    if QuotaPlanVersion.objects.filter(plan=plan, effective_from=effective_from).exists():
        raise ValidationError(
            {"effective_from": _("Another version of this plan already starts on that date.")}
        )
    return _create_version(
        organization=organization, plan=plan, actor=actor, lines=lines, points_target=points_target,
        effective_from=effective_from, note=note,
    )  # fmt: skip


@transaction.atomic
def quota_plan_rename(*, organization: Organization, actor: Membership, plan: QuotaPlan, name: str) -> QuotaPlan:
    """A plan's name is not a target: it changes at once, for every version."""
    if plan.organization_id != organization.pk:
        raise ValidationError(_("That plan does not exist."))
    _check_may_edit(actor=actor, scope=plan.scope, team=plan.team, rep=plan.rep)
    plan.name = name.strip()
    plan.full_clean()
    plan.save(update_fields=["name"])
    return plan


@transaction.atomic
def quota_plan_archive(*, organization: Organization, actor: Membership, plan: QuotaPlan) -> QuotaPlan:
    """Stop applying a plan to open periods. Closed results keep what they were closed with."""
    if plan.organization_id != organization.pk:
        raise ValidationError(_("That plan does not exist."))
    _check_may_edit(actor=actor, scope=plan.scope, team=plan.team, rep=plan.rep)
    plan.archived_at = timezone.now()
    plan.save(update_fields=["archived_at"])
    return plan


@transaction.atomic
def quota_plan_unarchive(*, organization: Organization, actor: Membership, plan: QuotaPlan) -> QuotaPlan:
    if plan.organization_id != organization.pk:
        raise ValidationError(_("That plan does not exist."))
    _check_may_edit(actor=actor, scope=plan.scope, team=plan.team, rep=plan.rep)
    plan.archived_at = None
    plan.save(update_fields=["archived_at"])
    return plan


def _targets_match(version: QuotaPlanVersion, lines: list[LineData], points_target: Decimal | None) -> bool:
    """The version already sets exactly these targets (lines in any order, same points target)."""
    saved = sorted(
        (line.activity_type_id, line.target, line.topic, line.distinct_contacts) for line in version.lines.all()
    )
    wanted = sorted(
        (line.activity_type.pk, line.target, normalize_topic(line.topic), line.distinct_contacts) for line in lines
    )
    return saved == wanted and (version.points_target or None) == (points_target or None)


@transaction.atomic
def quota_plan_update(
    *,
    organization: Organization,
    actor: Membership,
    plan: QuotaPlan,
    name: str,
    lines: list[LineData],
    points_target: Decimal | None = None,
    effective_from: date | None = None,
    note: str = "",
) -> QuotaPlanVersion | None:
    """The plan's edit page in one step, all or nothing: changed targets are published as a new version (from
    the next period at the earliest) and a new name applies at once. Targets equal to the latest version's
    publish nothing (returns None)."""
    latest = QuotaPlanVersion.objects.filter(plan=plan).prefetch_related("lines").order_by("-effective_from").first()
    version = None
    if latest is None or not _targets_match(latest, lines, points_target):
        version = quota_plan_publish(
            organization=organization, actor=actor, plan=plan, lines=lines, points_target=points_target,
            effective_from=effective_from, note=note,
        )  # fmt: skip
    if name.strip() != plan.name:
        quota_plan_rename(organization=organization, actor=actor, plan=plan, name=name)
    return version
