"""Users, organizations (tenants), memberships and roles, teams and invitations.

Every tenant model carries a non-null `organization` foreign key, even where a parent implies it, so
that every query can be scoped by organization alone.
"""

import zoneinfo
from datetime import timedelta

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role, role_at_least

INVITATION_VALIDITY = timedelta(days=7)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SWEDISH = "sv", _("Swedish")


class User(AbstractUser):
    """A person who signs in with an e-mail address. Belongs to organizations through memberships."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    # Empty: the language of the organization being viewed (see TenancyMiddleware).
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, blank=True, help_text=_("Empty: each organization's own language.")
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


def time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Month(models.IntegerChoices):
    JANUARY = 1, _("January")
    FEBRUARY = 2, _("February")
    MARCH = 3, _("March")
    APRIL = 4, _("April")
    MAY = 5, _("May")
    JUNE = 6, _("June")
    JULY = 7, _("July")
    AUGUST = 8, _("August")
    SEPTEMBER = 9, _("September")
    OCTOBER = 10, _("October")
    NOVEMBER = 11, _("November")
    DECEMBER = 12, _("December")


class Currency(models.TextChoices):
    SEK = "SEK", _("Swedish krona (SEK)")
    NOK = "NOK", _("Norwegian krone (NOK)")
    DKK = "DKK", _("Danish krone (DKK)")
    EUR = "EUR", _("Euro (EUR)")
    GBP = "GBP", _("Pound sterling (GBP)")
    USD = "USD", _("US dollar (USD)")
    CHF = "CHF", _("Swiss franc (CHF)")
    PLN = "PLN", _("Polish złoty (PLN)")


class Organization(models.Model):
    """A tenant: one company. Its time zone defines every business day, period and close."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("address"),
        max_length=50,
        unique=True,
        help_text=_("Used in the address of every page: /o/<address>/. Lowercase letters, digits and hyphens."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, choices=time_zone_choices, default="Europe/Stockholm")
    week_start = models.PositiveSmallIntegerField(_("week starts on"), choices=Weekday.choices, default=Weekday.MONDAY)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in"), choices=Month.choices, default=Month.JANUARY
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.SEK)
    require_2fa = models.BooleanField(
        _("require two-factor authentication"),
        default=False,
        help_text=_("Owners, admins, managers and HR reviewers must set up two-factor authentication to open this organization."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self):
        """Today's date in the organization's own time zone (never the server's)."""
        return timezone.localdate(timezone=self.zone)


class Team(models.Model):
    """A group of reps led by one or more managers. Archived, never deleted: history refers to it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=80)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "organization",
                name="accounts_team_org_name_uniq",
                violation_error_message=_("A team with this name already exists."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(models.Model):
    """A user's place in one organization: role, team, employment. Deactivated, never deleted."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.RESTRICT,  # teams are archived, not deleted
        null=True,
        blank=True,
        related_name="reps",
        help_text=_("The team a sales rep belongs to."),
    )
    managed_teams = models.ManyToManyField(
        Team, through="TeamManager", related_name="managers", verbose_name=_("teams led"), blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)
    employment_start = models.DateField(_("employment start"), null=True, blank=True)
    employment_end = models.DateField(_("employment end"), null=True, blank=True)
    probation_end = models.DateField(
        _("probation end"),
        null=True,
        blank=True,
        help_text=_("Probation runs from the employment start to this date. Leave empty when there is none."),
    )
    fte_percent = models.PositiveSmallIntegerField(
        _("FTE %"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Full-time equivalent: 100 for full time, 80 for four days a week."),
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="accounts_membership_org_user_uniq"),
            models.CheckConstraint(
                condition=models.Q(fte_percent__gte=1, fte_percent__lte=100),
                name="accounts_membership_fte_range",
            ),
            models.CheckConstraint(
                condition=models.Q(employment_end__isnull=True)
                | models.Q(employment_start__isnull=True)
                | models.Q(employment_end__gte=models.F("employment_start")),
                name="accounts_membership_employment_order",
                violation_error_message=_("The employment cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(probation_end__isnull=True)
                | models.Q(employment_start__isnull=True)
                | models.Q(probation_end__gte=models.F("employment_start")),
                name="accounts_membership_probation_after_start",
                violation_error_message=_("The probation cannot end before the employment starts."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "role", "is_active"], name="accounts_mem_org_role_idx")]

    def __str__(self):
        return self.user.display_name

    def has_role_at_least(self, role: str) -> bool:
        return role_at_least(self.role, role)

    @property
    def is_admin(self) -> bool:
        return self.has_role_at_least(Role.ADMIN)

    def probation_active_on(self, day) -> bool:
        if self.probation_end is None:
            return False
        started = self.employment_start is None or self.employment_start <= day
        return started and day <= self.probation_end


class TeamManager(models.Model):
    """A manager leading a team. A team may have several managers, a manager several teams."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="manager_links")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="team_links")

    class Meta:
        verbose_name = _("team manager")
        verbose_name_plural = _("team managers")
        constraints = [
            models.UniqueConstraint(fields=["team", "membership"], name="accounts_teammanager_team_member_uniq"),
        ]


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An e-mailed, single-use invitation to join an organization with a role (and a team)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and organization; a new one revokes the old.
            models.UniqueConstraint(
                Lower("email"),
                "organization",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="accounts_invitation_org_email_pending_uniq",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organization}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
