"""Reads about one rep: the rep detail page (managers, HR, admins) and the extras of the rep's own progress page.

Who may look at a rep follows `activities.selectors.reps_visible_to` (a manager the reps of the teams they lead;
HR, admins and owners every rep). A rep has no detail page of their own — "My progress" is theirs — so for a
rep viewer every rep detail is 404, like any rep outside the viewer's view. Each function is a fixed number
of queries, whatever the rep's history.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Subquery
from django.http import Http404

from accounts.models import Membership, Organization
from accounts.roles import Role
from activities.models import ActivityEntry
from activities.selectors import reps_visible_to

from ..models import Flag, Leave, LeaveStatus, Period, PeriodKind, PeriodResult, RepPeriodSummary


def rep_detail_get(*, organization: Organization, viewer: Membership, pk: int) -> Membership:
    """A rep the viewer oversees; 404 for a rep viewer, a rep outside the viewer's teams or another organization's."""
    if viewer.role == Role.REP:
        raise Http404
    try:
        return reps_visible_to(organization=organization, viewer=viewer).get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404 from None


def rep_result_kinds(*, organization: Organization, rep: Membership) -> list[str]:
    """The period kinds (day → year) in which the rep has closed results: the choices of a trend's kind picker."""
    kinds = set(
        PeriodResult.objects.filter(organization=organization, rep=rep, period_close__superseded_at__isnull=True)
        .values_list("period__kind", flat=True)
        .distinct()
        .order_by()
    )
    return [kind for kind in PeriodKind.values if kind in kinds]


def default_kind(kinds: list[str], requested: str | None = None) -> str | None:
    """The requested kind when it is a choice, else a week (the rhythm of most plans), else the first."""
    if requested in kinds:
        return requested
    if PeriodKind.WEEK in kinds:
        return PeriodKind.WEEK
    return kinds[0] if kinds else None


def rep_recent_entries(*, organization: Organization, rep: Membership, since: date, limit: int) -> list[ActivityEntry]:
    """The rep's entries from `since`, newest first: at most `limit` + 1, so that the page knows there are more."""
    return list(
        ActivityEntry.objects.filter(organization=organization, rep=rep, date__gte=since)
        .select_related("activity_type", "entered_by")
        .order_by("-date", "-created_at", "-pk")[: limit + 1]
    )


def rep_leave_list(*, organization: Organization, rep: Membership, since: date, limit: int = 10) -> list[Leave]:
    """The rep's leave that ends on or after `since` (recent and coming), requested, approved or rejected."""
    return list(
        Leave.objects.filter(organization=organization, rep=rep, end__gte=since)
        .exclude(status=LeaveStatus.CANCELLED)
        .select_related("decided_by")
        .order_by("-start", "-pk")[:limit]
    )


def rep_flag_list(*, organization: Organization, rep: Membership, limit: int = 10) -> list[Flag]:
    """The rep's latest flags (only the current close's: a re-close replaces a period's flags with those of its new
    results, acknowledged or not), each with its thread: two queries."""
    return list(
        Flag.objects.filter(organization=organization, rep=rep, period_close__superseded_at__isnull=True)
        .select_related("period", "result__line__activity_type", "acknowledged_by", "rep__user", "rep__team")
        .prefetch_related("comments__author")
        .order_by("-period__end", "-created_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class Streak:
    """The rep's standing after the latest closed period of a kind: met or not, and how many in a row."""

    kind: str
    period: Period
    plan_met: bool | None  # None: no target in that period (the streak carries over it)
    streak: int

    @property
    def kind_label(self) -> str:
        return str(PeriodKind(self.kind).label)


def rep_streaks(*, organization: Organization, rep: Membership) -> list[Streak]:
    """Per period kind, the rep's summary of the latest closed period (current closes only): one query."""
    current = RepPeriodSummary.objects.filter(
        organization=organization, rep=rep, period_close__superseded_at__isnull=True
    )
    latest = current.filter(period__kind=OuterRef("period__kind")).order_by("-period__start").values("pk")[:1]
    summaries = current.filter(pk=Subquery(latest)).select_related("period")
    order = {kind: index for index, kind in enumerate(PeriodKind.values)}
    return sorted(
        (
            Streak(kind=s.period.kind, period=s.period, plan_met=s.plan_met, streak=s.streak)
            for s in summaries
        ),
        key=lambda streak: order[streak.kind],
    )

