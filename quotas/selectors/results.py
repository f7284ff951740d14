"""Frozen results as an integration reads them (GET /api/v1/results/)."""

from django.db.models import QuerySet

from accounts.models import Membership, Organization
from activities.selectors import reps_visible_to

from ..models import PeriodResult


def result_list(*, organization: Organization, viewer: Membership) -> QuerySet[PeriodResult]:
    """The current results (not those a re-close replaced) of the reps the viewer may read: a rep their own, a
    manager their teams', HR, admins and owners everyone's. Newest period first; no query per row."""
    reps = reps_visible_to(organization=organization, viewer=viewer)
    return (
        PeriodResult.objects.filter(
            organization=organization, rep__in=reps.values("pk"), period_close__superseded_at__isnull=True
        )
        .select_related("period", "period_close", "rep__user", "line__activity_type")
        .order_by("-period__end", "period__kind", "rep__user__email", "pk")
    )
