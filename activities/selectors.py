"""Reads of the activities app. Every read takes `organization=`; visibility follows the viewer's role."""

from collections.abc import Iterable
from datetime import date

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Lower
from django.http import Http404

from accounts.models import Membership, Organization
from accounts.roles import Role

from .models import ActivityEntry, ActivityType, ApiToken, EntryLock, ImportBatch, Source


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


def rep_ids_loggable_by(*, organization: Organization, actor: Membership) -> set[int]:
    """The ids of `reps_loggable_by`, for checking many rows against it in memory."""
    return set(reps_loggable_by(organization=organization, actor=actor).values_list("pk", flat=True))


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
    # Through rep.entries, each entry's rep is `rep` itself (with its user): no join for it.
    return (
        rep.entries.filter(organization=organization, date=day)
        .select_related("activity_type", "entered_by")
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


# The suggestions count every entry of the organization: kept this long in the cache (Redis in production), so
# that the Today page, which offers them, does not count again on every visit. A new topic shows within it.
TOPIC_SUGGESTIONS_SECONDS = 600


def topic_suggestions(*, organization: Organization, limit: int = 50) -> list[str]:
    """The organization's topics, most used first, for the topic field's suggestions."""

    def count() -> list[str]:
        return list(
            # topic > '' rather than topic <> '': the same rows, read from the (organization, topic) index instead
            # of every entry of the organization.
            ActivityEntry.objects.filter(organization=organization, topic__gt="")
            .values_list("topic", flat=True)
            .annotate(uses=Count("pk"))
            .order_by("-uses", "topic")[:limit]
        )

    return cache.get_or_set(f"topic-suggestions:{organization.pk}:{limit}", count, TOPIC_SUGGESTIONS_SECONDS)


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
        # The change reason is the channel (web, import, api), or why a workflow changed it ("Correction #12: …").
        reason = record.history_change_reason or record.source
        via = Source(reason).label if reason in Source.values else reason
        trail.append({"record": record, "changes": changes, "via": via})
        previous = record
    return list(reversed(trail))


def entry_lock_ranges(*, organization: Organization, start: date, end: date) -> list[tuple[date, date]]:
    """The organization's locked (closed) date ranges that overlap [start, end]: the one definition of "locked"."""
    return list(
        EntryLock.objects.filter(
            organization=organization, unlocked_at__isnull=True, start_date__lte=end, end_date__gte=start
        ).values_list("start_date", "end_date")
    )


# How many external ids one query looks up: far below the parameter limits of SQLite (32,766) and PostgreSQL.
EXTERNAL_ID_LOOKUP_CHUNK = 5_000


def entry_external_ids_existing(*, organization: Organization, external_ids: list[str]) -> set[str]:
    """Which of these external ids the organization's entries already carry (one query per 5,000 ids)."""
    existing: set[str] = set()
    for start in range(0, len(external_ids), EXTERNAL_ID_LOOKUP_CHUNK):
        chunk = external_ids[start : start + EXTERNAL_ID_LOOKUP_CHUNK]
        existing.update(
            ActivityEntry.objects.filter(organization=organization, external_id__in=chunk).values_list(
                "external_id", flat=True
            )
        )
    return existing


def import_batch_list(*, organization: Organization, uploader: Membership, limit: int = 10) -> QuerySet[ImportBatch]:
    """The member's most recent uploads (a batch is seen only by whoever uploaded it)."""
    return (
        ImportBatch.objects.filter(organization=organization, uploaded_by=uploader)
        .defer("content")
        .order_by("-created_at", "-pk")[:limit]
    )


def import_batch_get(*, organization: Organization, uploader: Membership, pk: int) -> ImportBatch:
    """One upload of this member; anyone else's, or another organization's, is 404."""
    try:
        return ImportBatch.objects.select_related("uploaded_by__user").get(
            organization=organization, uploaded_by=uploader, pk=pk
        )
    except ImportBatch.DoesNotExist:
        raise Http404 from None


def api_token_list(*, organization: Organization, membership: Membership) -> QuerySet[ApiToken]:
    """The member's own tokens for this organization (a token is never shown to anyone else), newest first."""
    return ApiToken.objects.filter(organization=organization, membership=membership).order_by("-created_at", "-pk")


def api_token_get(*, organization: Organization, membership: Membership, pk: int) -> ApiToken:
    """One of the member's own tokens; another member's, or another organization's, is 404."""
    try:
        return api_token_list(organization=organization, membership=membership).get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None


def api_token_get_live(*, token_hash: str) -> ApiToken | None:
    """The token with this hash if it still opens the API (not revoked; its member and user active), with its
    organization and member, in one query. Not scoped by organization: the token is what names the organization."""
    return (
        ApiToken.objects.filter(
            token_hash=token_hash,
            revoked_at__isnull=True,
            membership__is_active=True,
            membership__user__is_active=True,
            membership__organization=F("organization"),
        )
        .select_related("organization", "membership__user", "membership__team")
        .first()
    )


def memberships_by_email(*, organization: Organization, emails: Iterable[str]) -> dict[str, Membership]:
    """The organization's members with these e-mail addresses, by lower-case address (API payloads name reps
    by e-mail). Addresses of other organizations' users are simply not found."""
    members = (
        Membership.objects.filter(organization=organization)
        .annotate(email_lower=Lower("user__email"))
        .filter(email_lower__in={email.lower() for email in emails})
        .select_related("user", "team")
    )
    return {member.email_lower: member for member in members}


def entries_by_external_id(
    *, organization: Organization, viewer: Membership, external_ids: Iterable[str]
) -> dict[str, ActivityEntry]:
    """The entries the viewer may read that carry these external ids (API idempotency), by external id."""
    entries = entry_list(organization=organization, viewer=viewer).filter(external_id__in=set(external_ids))
    return {entry.external_id: entry for entry in entries}
