"""Writes. Each service takes `organization=` (where it applies), validates, and runs in one transaction."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import INVITATION_VALIDITY, Invitation, Language, Membership, Organization, Team, TeamManager, User
from .roles import TEAM_ROLES, Role
from .tasks import send_invitation_email_task


def _ensure_same_organization(organization: Organization, *objects) -> None:
    """Defence in depth behind the forms' scoped choices: never link rows of two organizations."""
    for obj in objects:
        if obj is not None and obj.organization_id != organization.pk:
            raise ValidationError(_("That choice does not exist."))


# Organizations ----------------------------------------------------------------------------------


@transaction.atomic
def organization_create(*, user: User, **fields) -> Organization:
    """Create an organization; its creator becomes its owner.

    Apps that give a new organization its starting data (activity types…) are listed in
    settings.ORGANIZATION_SETUP, so that accounts does not import the apps that depend on it.
    """
    organization = Organization(**fields)
    organization.full_clean()
    organization.save()
    Membership.objects.create(organization=organization, user=user, role=Role.OWNER)
    for setup in settings.ORGANIZATION_SETUP:
        import_string(setup)(organization=organization)
    return organization


# Settings that lay out the organization's periods: the apps listed in settings.ORGANIZATION_LAYOUT_CHANGED redo
# (or refuse) their periods when one changes.
LAYOUT_FIELDS = ("week_start", "fiscal_year_start_month")


@transaction.atomic
def organization_update(*, organization: Organization, actor: Membership, **fields) -> Organization:
    if "require_2fa" in fields and fields["require_2fa"] != organization.require_2fa and actor.role != Role.OWNER:
        raise PermissionDenied(_("Only an owner can change the two-factor requirement."))
    # Compared with the stored row: a ModelForm has already set its values on `organization` while validating.
    asked = [name for name in LAYOUT_FIELDS if name in fields]
    stored = Organization.objects.filter(pk=organization.pk).values(*asked).get() if asked else {}
    layout_changed = [name for name in asked if fields[name] != stored[name]]
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.full_clean()
    organization.save(update_fields=list(fields))
    if layout_changed:
        for hook in settings.ORGANIZATION_LAYOUT_CHANGED:
            import_string(hook)(organization=organization, changed=layout_changed)
    return organization


# Teams ------------------------------------------------------------------------------------------


def _team_set_people(*, organization: Organization, team: Team, managers, reps) -> None:
    _ensure_same_organization(organization, *managers, *reps)
    if any(m.role != Role.MANAGER for m in managers) or any(r.role != Role.REP for r in reps):
        raise ValidationError(_("Only managers can lead a team and only sales reps can be in one."))
    TeamManager.objects.filter(team=team).exclude(membership__in=managers).delete()
    existing = set(TeamManager.objects.filter(team=team).values_list("membership_id", flat=True))
    TeamManager.objects.bulk_create(
        TeamManager(organization=organization, team=team, membership=m) for m in managers if m.pk not in existing
    )
    # Reps belong to one team: adding a rep here moves them; reps left out are no longer in any team.
    Membership.objects.filter(organization=organization, team=team, role=Role.REP).exclude(
        pk__in=[r.pk for r in reps]
    ).update(team=None)
    Membership.objects.filter(organization=organization, pk__in=[r.pk for r in reps]).update(team=team)


@transaction.atomic
def team_create(*, organization: Organization, name: str, managers=(), reps=()) -> Team:
    team = Team(organization=organization, name=name)
    team.full_clean()
    team.save()
    _team_set_people(organization=organization, team=team, managers=managers, reps=reps)
    return team


@transaction.atomic
def team_update(*, organization: Organization, team: Team, name: str, managers, reps) -> Team:
    _ensure_same_organization(organization, team)
    team.name = name
    team.full_clean()
    team.save(update_fields=["name"])
    _team_set_people(organization=organization, team=team, managers=managers, reps=reps)
    return team


@transaction.atomic
def team_archive(*, organization: Organization, team: Team) -> Team:
    """Archive a team: it leaves lists and choices, keeps its history. Its reps become team-less."""
    _ensure_same_organization(organization, team)
    team.archived_at = timezone.now()
    team.save(update_fields=["archived_at"])
    Membership.objects.filter(organization=organization, team=team).update(team=None)
    TeamManager.objects.filter(team=team).delete()
    return team


@transaction.atomic
def team_unarchive(*, organization: Organization, team: Team) -> Team:
    _ensure_same_organization(organization, team)
    team.archived_at = None
    team.save(update_fields=["archived_at"])
    return team


# Members ----------------------------------------------------------------------------------------


def _ensure_may_change(*, actor: Membership, membership: Membership) -> None:
    if membership.role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied(_("Only an owner can change another owner."))


def _ensure_owner_remains(*, organization: Organization, membership: Membership) -> None:
    others = Membership.objects.filter(organization=organization, role=Role.OWNER, is_active=True).exclude(
        pk=membership.pk
    )
    if membership.role == Role.OWNER and not others.exists():
        raise ValidationError(_("An organization needs at least one active owner. Make someone else owner first."))


@transaction.atomic
def membership_add(
    *,
    organization: Organization,
    user: User,
    role: str,
    team: Team | None = None,
    employment_start=None,
    probation_end=None,
    fte_percent: int = 100,
) -> Membership:
    """Make a user a member with a role; a deactivated member comes back with the new role.

    `team` is the rep's team, or the team a manager leads.
    """
    _ensure_same_organization(organization, team)
    access = {"role": role, "team": team if role == Role.REP else None, "is_active": True, "deactivated_at": None}
    employment = {"employment_start": employment_start, "probation_end": probation_end, "fte_percent": fte_percent}
    # A returning member keeps the employment record they had.
    membership, _created = Membership.objects.update_or_create(
        organization=organization, user=user, defaults=access, create_defaults={**access, **employment}
    )
    TeamManager.objects.filter(membership=membership).delete()
    if role == Role.MANAGER and team is not None:
        TeamManager.objects.create(organization=organization, team=team, membership=membership)
    return membership


@transaction.atomic
def membership_update(
    *,
    organization: Organization,
    actor: Membership,
    membership: Membership,
    role: str,
    team: Team | None,
    managed_teams=(),
    employment_start=None,
    employment_end=None,
    probation_end=None,
    fte_percent: int = 100,
) -> Membership:
    """Change a member's role, team(s) and employment. Team fields that do not fit the role are cleared."""
    _ensure_same_organization(organization, membership, team, *managed_teams)
    _ensure_may_change(actor=actor, membership=membership)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied(_("Only an owner can make someone an owner."))
    if membership.role == Role.OWNER and role != Role.OWNER:
        _ensure_owner_remains(organization=organization, membership=membership)
    membership.role = role
    membership.team = team if role == Role.REP else None
    membership.employment_start = employment_start
    membership.employment_end = employment_end
    membership.probation_end = probation_end
    membership.fte_percent = fte_percent
    membership.full_clean()
    membership.save(
        update_fields=["role", "team", "employment_start", "employment_end", "probation_end", "fte_percent"]
    )
    links = TeamManager.objects.filter(membership=membership)
    if role == Role.MANAGER:
        links.exclude(team__in=managed_teams).delete()
        existing = set(links.values_list("team_id", flat=True))
        TeamManager.objects.bulk_create(
            TeamManager(organization=organization, team=t, membership=membership)
            for t in managed_teams
            if t.pk not in existing
        )
    else:
        links.delete()
    return membership


@transaction.atomic
def membership_deactivate(*, organization: Organization, actor: Membership, membership: Membership) -> Membership:
    """Take a member's access away at once. Their memberships row and history stay."""
    _ensure_same_organization(organization, membership)
    if membership.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    _ensure_may_change(actor=actor, membership=membership)
    _ensure_owner_remains(organization=organization, membership=membership)
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    return membership


@transaction.atomic
def membership_reactivate(*, organization: Organization, actor: Membership, membership: Membership) -> Membership:
    _ensure_same_organization(organization, membership)
    _ensure_may_change(actor=actor, membership=membership)
    membership.is_active = True
    membership.deactivated_at = None
    membership.save(update_fields=["is_active", "deactivated_at"])
    return membership


# Invitations ------------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, organization: Organization, invited_by: User, email: str, role: str, team: Team | None = None
) -> Invitation:
    """Invite an address with a role (and, for reps and managers, a team); e-mail the link after commit.

    A newer invitation to the same address replaces any open one.
    """
    email = email.strip().lower()
    _ensure_same_organization(organization, team)
    if team is not None and team.is_archived:
        raise ValidationError(_("That team is archived."))
    if role == Role.OWNER:
        raise ValidationError(_("Ownership cannot be given by invitation."))
    if Membership.objects.filter(organization=organization, user__email__iexact=email, is_active=True).exists():
        raise ValidationError(_("%(email)s is already a member of this organization.") % {"email": email})
    now = timezone.now()
    Invitation.objects.pending().filter(organization=organization, email__iexact=email).update(revoked_at=now)
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        team=team if role in TEAM_ROLES else None,
        invited_by=invited_by,
        expires_at=now + INVITATION_VALIDITY,
    )
    invitation.full_clean()
    invitation.save()
    send_invitation_email_task.delay_on_commit(invitation.pk)
    return invitation


@transaction.atomic
def invitation_resend(*, organization: Organization, invitation: Invitation) -> Invitation:
    """Send the same invitation again, valid for another full week."""
    _ensure_same_organization(organization, invitation)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer open."))
    invitation.expires_at = timezone.now() + INVITATION_VALIDITY
    invitation.save(update_fields=["expires_at"])
    send_invitation_email_task.delay_on_commit(invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, organization: Organization, invitation: Invitation) -> Invitation:
    _ensure_same_organization(organization, invitation)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer open."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_problem(*, invitation: Invitation, user: User | None) -> str | None:
    """Why this invitation cannot be accepted (by this user), or None when it can."""
    if invitation.revoked_at is not None:
        return _("This invitation was withdrawn. Ask the person who invited you for a new one.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used.")
    if invitation.is_expired:
        return _("This invitation has expired. Ask the person who invited you for a new one.")
    if user is None:
        return None
    if user.email.lower() != invitation.email.lower():
        return _(
            "This invitation was sent to %(invited)s, but you are signed in as %(current)s. "
            "Sign out and sign in (or sign up) with the invited address."
        ) % {"invited": invitation.email, "current": user.email}
    if Membership.objects.filter(organization=invitation.organization, user=user, is_active=True).exists():
        return _("You are already a member of %(organization)s.") % {"organization": invitation.organization}
    return None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the organization with the invited role and team. Single use, even under concurrent clicks."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("organization", "team").get(pk=invitation.pk)
    )
    problem = invitation_problem(invitation=invitation, user=user)
    if problem:
        raise ValidationError(problem)
    team = invitation.team if invitation.team and not invitation.team.is_archived else None
    membership = membership_add(
        organization=invitation.organization, user=user, role=invitation.role, team=team
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def user_name_set(*, user: User, first_name: str, last_name: str) -> User:
    """The name colleagues see instead of the e-mail address (pages, e-mails, the probation PDF)."""
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.full_clean(validate_unique=False)
    user.save(update_fields=["first_name", "last_name"])
    return user


def user_language_set(*, user: User, language: str) -> User:
    """The user's language everywhere ("" = each organization's own)."""
    if language not in ("", *Language.values):
        raise ValidationError(_("Choose a language from the list."))
    user.language = language
    user.save(update_fields=["language"])
    return user
