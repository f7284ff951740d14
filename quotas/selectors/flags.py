"""Reads of flags: the inbox, one flag with its results and thread, and who may act on a flag.

Who sees a flag follows who sees the rep's activity (`activities.selectors.reps_visible_to`): a rep their
own, a manager those of the reps of the teams they lead, HR, admins and owners everyone's. Who may act on it
is `FlagAccess`: the rep responds; the rep's managers and admins acknowledge and comment; HR only reads.
Pages and services use the same `FlagAccess`, so a button is shown exactly when its POST would be accepted.
"""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from accounts.models import Membership, Organization, TeamManager
from accounts.roles import Role
from activities.selectors import reps_visible_to

from ..models import Flag, FlagComment, FlagKind, FlagStatus, PeriodResult


class FlagFilter:
    """The inbox's status filter (?status=…)."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ALL = "all"
    CHOICES = (OPEN, ACKNOWLEDGED, ALL)


class FlagKindFilter:
    """The inbox's kind filter (?kind=…): results to follow up, exceeded targets to recognise, or both."""

    ATTENTION = "attention"  # below a minimum, or a plan not met
    EXCEEDED = "exceeded"
    ANY = ""
    CHOICES = (ANY, ATTENTION, EXCEEDED)


def flag_list(
    *, organization: Organization, viewer: Membership, status: str = FlagFilter.OPEN, kind: str = FlagKindFilter.ANY,
    rep_id: int | None = None,
) -> QuerySet[Flag]:  # fmt: skip
    """The flags the viewer may read, newest first, ready for a table (no query per row).

    `status`: open (the default), acknowledged, or all (with the flags of closes a re-close replaced: history).
    `kind`: any (the default), attention (below a minimum, plan not met) or exceeded.
    `rep_id`: only that rep's (a rep outside the viewer's view has none)."""
    reps = reps_visible_to(organization=organization, viewer=viewer)
    flags = Flag.objects.filter(organization=organization, rep__in=reps.values("pk"))
    if rep_id is not None:
        flags = flags.filter(rep_id=rep_id)
    if status == FlagFilter.OPEN:
        flags = flags.filter(status=FlagStatus.OPEN)
    elif status == FlagFilter.ACKNOWLEDGED:  # of the periods' current closes: a re-close replaced the others
        flags = flags.filter(status=FlagStatus.ACKNOWLEDGED, period_close__superseded_at__isnull=True)
    if kind == FlagKindFilter.ATTENTION:
        flags = flags.exclude(kind=FlagKind.EXCEEDED)
    elif kind == FlagKindFilter.EXCEEDED:
        flags = flags.filter(kind=FlagKind.EXCEEDED)
    return (
        flags.select_related(
            "rep__user", "rep__team", "period", "result__line__activity_type", "acknowledged_by"
        )
        .annotate(comment_count=Count("comments"))
        .order_by("-created_at", "-pk")
    )


def flag_get(*, organization: Organization, viewer: Membership, pk: int) -> Flag:
    """One flag the viewer may read; another organization's, or one of a rep outside the viewer's view, is 404."""
    try:
        return flag_list(organization=organization, viewer=viewer, status=FlagFilter.ALL).get(pk=pk)
    except Flag.DoesNotExist:
        raise Http404 from None


def flag_comment_list(*, organization: Organization, flag: Flag) -> QuerySet[FlagComment]:
    """The flag's thread, oldest first."""
    return FlagComment.objects.filter(organization=organization, flag=flag).select_related("author").order_by(
        "created_at", "pk"
    )


def flag_results(*, organization: Organization, flag: Flag) -> QuerySet[PeriodResult]:
    """Every result of the flag's rep in the flag's close: the flagged line and the rest of the plan."""
    return (
        PeriodResult.objects.filter(organization=organization, period_close_id=flag.period_close_id, rep_id=flag.rep_id)
        .select_related("line__activity_type", "version__plan")
        .order_by("line__activity_type__position", "line_id")
    )


@dataclass(frozen=True)
class FlagAccess:
    """What one member may do with flags (loaded once per page: one query for a manager's teams)."""

    viewer: Membership
    led_team_ids: frozenset[int]

    def manages(self, flag: Flag) -> bool:
        """The rep's manager (a manager of the rep's team) or an admin/owner; never the rep themselves."""
        viewer = self.viewer
        if not viewer.is_active or flag.rep_id == viewer.pk or flag.organization_id != viewer.organization_id:
            return False
        if viewer.is_admin:
            return True
        return viewer.role == Role.MANAGER and flag.rep.team_id is not None and flag.rep.team_id in self.led_team_ids

    def may_acknowledge(self, flag: Flag) -> bool:
        return flag.status == FlagStatus.OPEN and self.manages(flag)

    def is_flagged_rep(self, flag: Flag) -> bool:
        return self.viewer.is_active and flag.rep_id == self.viewer.pk

    def may_comment(self, flag: Flag) -> bool:
        """The rep responds, their managers comment; nobody writes on a flag a re-close withdrew."""
        if flag.status == FlagStatus.WITHDRAWN:
            return False
        return self.is_flagged_rep(flag) or self.manages(flag)


def flag_access(*, organization: Organization, viewer: Membership) -> FlagAccess:
    led: frozenset[int] = frozenset()
    if viewer.role == Role.MANAGER:
        led = frozenset(
            TeamManager.objects.filter(organization=organization, membership=viewer).values_list("team_id", flat=True)
        )
    return FlagAccess(viewer=viewer, led_team_ids=led)
