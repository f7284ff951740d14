"""Reads. Every tenant read takes `organization=` and answers "not yours" exactly like "missing"."""

from django.conf import settings
from django.core import signing
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from .models import Invitation, Membership, Organization, Team, User
from .roles import Role

INVITATION_TOKEN_SALT = "accounts.invitation"


def memberships_for_request(*, user: User) -> list[Membership]:
    """The user's active memberships, organizations by name, each with what every page reads of it (its team and
    settings.ORGANIZATION_REQUEST_RELATED): the one a tenant URL names and the organization switcher, in one
    query."""
    related = [f"organization__{name}" for name in getattr(settings, "ORGANIZATION_REQUEST_RELATED", [])]
    memberships = list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organization", "team", *related)
        .order_by("organization__name", "organization_id")
    )
    for membership in memberships:
        membership.user = user  # the signed-in user, already loaded
    return memberships


def membership_list(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user", "team")
        .prefetch_related(Prefetch("managed_teams", queryset=Team.objects.order_by("name")))
        .order_by("-is_active", "user__first_name", "user__last_name", "user__email")
    )


def membership_get(*, organization: Organization, pk: int) -> Membership:
    try:
        return membership_list(organization=organization).get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404 from None


def membership_choices(*, organization: Organization, role: str) -> QuerySet[Membership]:
    """Active members of one role, for choice fields (always scoped to the organization)."""
    return (
        Membership.objects.filter(organization=organization, role=role, is_active=True)
        .select_related("user", "team")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def team_list(*, organization: Organization, include_archived: bool = False) -> QuerySet[Team]:
    teams = Team.objects.filter(organization=organization)
    if not include_archived:
        teams = teams.filter(archived_at__isnull=True)
    return teams.annotate(
        rep_count=Count("reps", filter=Q(reps__is_active=True, reps__role=Role.REP), distinct=True)
    ).prefetch_related(
        Prefetch("managers", queryset=Membership.objects.filter(is_active=True).select_related("user"))
    ).order_by("archived_at", "name")


def team_get(*, organization: Organization, pk: int) -> Team:
    try:
        return team_list(organization=organization, include_archived=True).get(pk=pk)
    except Team.DoesNotExist:
        raise Http404 from None


def team_reps(*, organization: Organization, team: Team) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization, team=team, role=Role.REP, is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def invitation_list_pending(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.pending().filter(organization=organization).select_related("team", "invited_by")


def invitation_get(*, organization: Organization, pk: int) -> Invitation:
    try:
        return Invitation.objects.select_related("organization", "team").get(organization=organization, pk=pk)
    except Invitation.DoesNotExist:
        raise Http404 from None


def invitation_token(*, invitation: Invitation) -> str:
    """The secret part of an invitation link: the invitation's id, signed with the site's secret key."""
    return signing.Signer(salt=INVITATION_TOKEN_SALT).sign_object(invitation.pk)


def invitation_get_by_token(*, token: str) -> Invitation:
    """The invitation a link points to; 404 for a forged or unknown token. Expiry is checked on accept."""
    try:
        pk = signing.Signer(salt=INVITATION_TOKEN_SALT).unsign_object(token)
    except signing.BadSignature:
        raise Http404 from None
    try:
        return Invitation.objects.select_related("organization", "team").get(pk=pk)
    except Invitation.DoesNotExist:
        raise Http404 from None


def organization_summary(*, organization: Organization) -> dict:
    """Head counts for the organization's overview page: active members by role, teams, open invitations."""
    by_role = dict(
        Membership.objects.filter(organization=organization, is_active=True)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    return {
        "members_by_role": [(role.label, by_role.get(role.value, 0)) for role in reversed(Role)],
        "member_count": sum(by_role.values()),
        "team_count": Team.objects.filter(organization=organization, archived_at__isnull=True).count(),
        "pending_invitation_count": Invitation.objects.pending().filter(organization=organization).count(),
    }


def language_for(*, user: User | None, organization: Organization) -> str:
    """The language to address a user in about an organization (pages, e-mails, notifications): the user's own
    choice when they made one, else the organization's."""
    return (user.language if user is not None else "") or organization.language
