"""Reads of the activities app. Every read takes `organization=`; visibility follows the viewer's role."""

from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from accounts.models import Membership, Organization
from accounts.roles import Role

from .models import ActivityEntry, ActivityType, Source


def rep_may_be_logged_by(*, actor: Membership, rep: Membership) -> bool:
    """Reps log for themselves, managers for the reps of teams they lead, admins and owners for anyone."""
    if actor.organization_id != rep.organization_id or not actor.is_active:
        return False
    if actor.pk == rep.pk:
        return True
    if actor.has_role_at_least(Role.ADMIN):
        return True
    if actor.role == Role.MANAGER:
        return rep.team_id is not None and actor.team_links.filter(team_id=rep.team_id).exists()
    return False


def reps_loggable_by(*, organization: Organization, actor: Membership) -> QuerySet[Membership]:
    reps = Membership.objects.filter(organization=organization, role=Role.REP, is_active=True)
    if actor.has_role_at_least(Role.ADMIN):
        pass
    elif actor.role == Role.MANAGER:
        reps = reps.filter(team__manager_links__membership=actor)
    elif actor.role == Role.REP:
        reps = reps.filter(pk=actor.pk)
    else:
        reps = reps.none()
    return reps.select_related("user", "team").order_by("user__first_name", "user__last_name", "user__email")


def reps_visible_to(*, organization: Organization, viewer: Membership) -> QuerySet[Membership]:
    """Whose activity a member may read: their own (rep), their teams' (manager), everyone's (HR, admin)."""
    reps = Membership.objects.filter(organization=organization, role=Role.REP)
    if viewer.role == Role.REP:
        reps = reps.filter(pk=viewer.pk)
    elif viewer.role == Role.MANAGER:
        reps = reps.filter(team__manager_links__membership=viewer)
    return reps.select_related("user", "team").order_by("user__first_name", "user__last_name", "user__email")


def activity_type_list(*, organization: Organization, include_archived: bool = False) -> QuerySet[ActivityType]:
    types = ActivityType.objects.filter(organization=organization)
    if not include_archived:
        types = types.filter(archived_at__isnull=True)
    return types.order_by("position", "pk")


def activity_type_get(*, organization: Organization, pk: int) -> ActivityType:
    try:
        return ActivityType.objects.get(organization=organization, pk=pk)
    except ActivityType.DoesNotExist:
        raise Http404 from None


def day_totals(*, organization: Organization, rep: Membership, day: date) -> dict[int, dict]:
    """Per activity type: the day's total and number of entries, in one grouped query."""
    rows = (
        ActivityEntry.objects.filter(organization=organization, rep=rep, date=day)
        .values("activity_type_id")
        .annotate(total=Sum("quantity"), count=Count("pk"))
    )
    return {row["activity_type_id"]: row for row in rows}


def day_entries(*, organization: Organization, rep: Membership, day: date) -> QuerySet[ActivityEntry]:
    return (
        ActivityEntry.objects.filter(organization=organization, rep=rep, date=day)
        .select_related("activity_type", "entered_by", "rep__user")
        .order_by("-created_at", "-pk")
    )


def entry_list(*, organization: Organization, viewer: Membership) -> QuerySet[ActivityEntry]:
    """Entries the viewer may read, ready for tables (no query per row)."""
    return ActivityEntry.objects.filter(
        organization=organization, rep__in=reps_visible_to(organization=organization, viewer=viewer).values("pk")
    ).select_related("activity_type", "rep__user", "rep__team", "entered_by")


def entry_get(*, organization: Organization, viewer: Membership, pk: int) -> ActivityEntry:
    try:
        return entry_list(organization=organization, viewer=viewer).get(pk=pk)
    except ActivityEntry.DoesNotExist:
        raise Http404 from None


def last_entry_by(*, organization: Organization, actor: Membership, rep: Membership) -> ActivityEntry | None:
    """The entry the Today page's Undo would remove."""
    return (
        ActivityEntry.objects.filter(organization=organization, rep=rep, entered_by=actor.user)
        .select_related("activity_type")
        .order_by("-created_at", "-pk")
        .first()
    )


def topic_suggestions(*, organization: Organization, limit: int = 50) -> list[str]:
    """The organization's topics, most used first, for the topic field's suggestions."""
    return list(
        ActivityEntry.objects.filter(organization=organization)
        .exclude(topic="")
        .values_list("topic", flat=True)
        .annotate(uses=Count("pk"))
        .order_by("-uses", "topic")[:limit]
    )


def entries_total(entries: QuerySet[ActivityEntry]) -> dict:
    """Totals of a (filtered) entry list, for the table's footer: count and sum by kind."""
    return entries.aggregate(
        count=Count("pk"),
        count_total=Sum("quantity", filter=Q(activity_type__kind="count")),
        money_total=Sum("quantity", filter=Q(activity_type__kind="money")),
    )


def entry_history(*, entry: ActivityEntry) -> list[dict]:
    """The entry's audit trail, newest first: who, when, what (created / changed / deleted), old → new."""
    records = list(entry.history.select_related("history_user", "activity_type").order_by("history_date"))
    type_names = dict(ActivityType.objects.filter(organization_id=entry.organization_id).values_list("pk", "name"))
    trail = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                old, new = change.old, change.new
                if change.field == "activity_type":
                    old, new = type_names.get(old, old), type_names.get(new, new)
                changes.append({"field": ActivityEntry._meta.get_field(change.field).verbose_name, "old": old, "new": new})
        via = Source(record.history_change_reason or record.source).label
        trail.append({"record": record, "changes": changes, "via": via})
        previous = record
    return list(reversed(trail))
