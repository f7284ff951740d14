"""Reads for changing closed periods: reps' correction requests, and the admin's list of periods.

A closed period's entries are locked (activities' lock, enforced by a trigger); a correction or an audited
reopen is the only way to change them. Who sees a correction follows who sees its rep's activity.
"""

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import Membership, Organization
from activities.models import ActivityEntry
from activities.selectors import entry_lock_ranges, reps_visible_to

from ..models import Correction, Period, PeriodReopen, PeriodStatus

# Entries offered in the correction form's list (newest first); an older one is chosen from its own page.
CORRECTABLE_ENTRY_CHOICES = 200


def correction_list(*, organization: Organization, viewer: Membership) -> QuerySet[Correction]:
    """The corrections the viewer may read: their own (rep), their teams' reps' (manager), all (HR, admin)."""
    reps = reps_visible_to(organization=organization, viewer=viewer)
    return (
        Correction.objects.filter(organization=organization, rep__in=reps.values("pk"))
        .select_related("rep__user", "rep__team", "entry", "activity_type", "period", "requested_by", "decided_by")
        .order_by("-created_at", "-pk")
    )


def correction_get(*, organization: Organization, viewer: Membership, pk: int) -> Correction:
    """One correction the viewer may read; another organization's, or one outside the viewer's view, is 404."""
    try:
        return correction_list(organization=organization, viewer=viewer).get(pk=pk)
    except Correction.DoesNotExist:
        raise Http404 from None


def _merged(ranges) -> list[tuple[date, date]]:
    merged: list[list[date]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def correctable_entries(*, organization: Organization, rep: Membership) -> QuerySet[ActivityEntry]:
    """The rep's entries in closed (locked) periods, newest first: what a correction may change."""
    ranges = _merged(entry_lock_ranges(organization=organization, start=date.min, end=date.max))
    if not ranges:
        return ActivityEntry.objects.none()
    in_locked = Q()
    for start, end in ranges:
        in_locked |= Q(date__range=(start, end))
    return (
        ActivityEntry.objects.filter(in_locked, organization=organization, rep=rep)
        .select_related("activity_type")
        .order_by("-date", "-created_at", "-pk")
    )


def rep_entry_get(*, organization: Organization, rep: Membership, pk: int) -> ActivityEntry:
    """One of the rep's own entries (any period); anyone else's, or another organization's, is 404."""
    try:
        return ActivityEntry.objects.select_related("activity_type").get(organization=organization, rep=rep, pk=pk)
    except (ActivityEntry.DoesNotExist, ValueError):
        raise Http404 from None


def closed_periods_containing(*, organization: Organization, day: date) -> list[Period]:
    """Every closed period (any kind) whose days include `day`, the shortest first (day, week, month…)."""
    periods = Period.objects.filter(organization=organization, status=PeriodStatus.CLOSED, start__lte=day, end__gte=day)
    return sorted(periods, key=lambda p: (p.end - p.start, p.start))


def period_rows(*, organization: Organization, day: date) -> QuerySet[Period]:
    """The periods that have started by `day`, latest first, with their number of closes and reopens and
    the reopens themselves (who, why): a fixed number of queries for a page of any length."""
    return (
        Period.objects.filter(organization=organization, start__lte=day)
        .annotate(close_count=Count("closes", distinct=True), reopen_count=Count("reopens", distinct=True))
        .prefetch_related(
            Prefetch("reopens", queryset=PeriodReopen.objects.select_related("actor").order_by("-created_at", "-pk"))
        )
        .order_by("-end", "start", "kind")
    )


def period_get(*, organization: Organization, pk: int) -> Period:
    """One period of the organization; another organization's is 404."""
    try:
        return Period.objects.get(organization=organization, pk=pk)
    except Period.DoesNotExist:
        raise Http404 from None
