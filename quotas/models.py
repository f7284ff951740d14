"""Quota plans and their versions, periods, and the calendar (working days, holidays, leave).

A plan says what reps must reach per period; each published change is a new version, effective from the
start of a period, so that a period always knows which version it used. Periods exist as rows so that the
close and the dashboards share one truth about boundaries and status.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization, Team
from activities.models import ActivityType


class PeriodKind(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")
    CLOSE_FAILED = "close_failed", _("Close failed")


class Period(models.Model):
    """A calendar window [start, end] (inclusive dates, organization's time zone) of one kind."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=PeriodKind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=16, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)

    class Meta:
        ordering = ["start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "start"], name="quotas_period_org_kind_start_uniq"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="quotas_period_range_order"),
        ]
        indexes = [models.Index(fields=["organization", "status", "end"], name="quotas_period_org_status_end")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start}–{self.end}"


class QuotaSettings(models.Model):
    """An organization's quota rules: its working weekdays, its public-holiday country, the "exceeded" tier.

    Created with defaults the first time it is needed (see selectors.quota_settings_get).
    """

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="quota_settings")
    # ISO-like weekday numbers as in Python (Monday = 0), comma-separated: "0,1,2,3,4" is Monday–Friday.
    working_weekdays = models.CharField(_("working days"), max_length=13, default="0,1,2,3,4")
    holiday_country = models.CharField(
        _("public holidays of"), max_length=8, blank=True, help_text=_("The country whose public holidays were applied.")
    )
    exceeded_tier_percent = models.PositiveSmallIntegerField(
        _("exceeded from (%)"),
        default=120,
        validators=[MinValueValidator(101), MaxValueValidator(1000)],
        help_text=_("A result at or above this share of the target counts as exceeded."),
    )

    def __str__(self):
        return f"{self.organization}: {self.working_weekdays}"

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(day) for day in self.working_weekdays.split(",") if day != "")


class HolidayKind(models.TextChoices):
    PUBLIC = "public", _("Public holiday")
    COMPANY = "company", _("Company day off")


class Holiday(models.Model):
    """A day nobody in the organization works: a public holiday (from a preset, editable) or a company day off."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=HolidayKind.choices, default=HolidayKind.COMPANY)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "date"],
                name="quotas_holiday_org_date_uniq",
                violation_error_message=_("There is already a holiday on this date."),
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.name}"


class LeaveStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Leave(models.Model):
    """A rep's days off [start, end]. Only approved leave removes working days from their targets."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    rep = models.ForeignKey(Membership, verbose_name=_("sales rep"), on_delete=models.RESTRICT, related_name="leaves")
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="quotas_leave_range_order",
                violation_error_message=_("The leave cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "start", "end"], name="quotas_leave_org_status")]

    def __str__(self):
        return f"{self.rep}: {self.start}–{self.end}"


class PlanScope(models.TextChoices):
    ORGANIZATION = "organization", _("All reps")
    TEAM = "team", _("One team")
    REP = "rep", _("One rep")
    PROBATION = "probation", _("Reps in probation")


# Which plan wins for an activity type when several apply (higher wins). A probation plan replaces the
# regular lines for the same types in periods that overlap the rep's probation window.
SCOPE_PRECEDENCE = {PlanScope.ORGANIZATION: 1, PlanScope.TEAM: 2, PlanScope.REP: 3, PlanScope.PROBATION: 4}


class QuotaPlan(models.Model):
    """What reps must reach per period. Its targets live in versions; it is archived, never deleted."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="quota_plans")
    name = models.CharField(_("name"), max_length=120)
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.WEEK)
    scope = models.CharField(_("applies to"), max_length=16, choices=PlanScope.choices, default=PlanScope.ORGANIZATION)
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.RESTRICT, null=True, blank=True)
    rep = models.ForeignKey(
        Membership, verbose_name=_("sales rep"), on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "organization",
                name="quotas_quotaplan_org_name_uniq",
                violation_error_message=_("A plan with this name already exists."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(scope=PlanScope.TEAM, team__isnull=False, rep__isnull=True)
                    | models.Q(scope=PlanScope.REP, rep__isnull=False, team__isnull=True)
                    | models.Q(scope__in=[PlanScope.ORGANIZATION, PlanScope.PROBATION], team__isnull=True, rep__isnull=True)
                ),
                name="quotas_quotaplan_scope_target",
                violation_error_message=_("Choose a team for a team plan and a rep for a rep plan, and nothing else."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class QuotaPlanVersion(models.Model):
    """The targets of a plan from `effective_from` (the start of a period) until the next version."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(QuotaPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    points_target = models.DecimalField(
        _("points target"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Optional: points per period, from the activity types' weights."),
    )  # fmt: skip
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["plan", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="quotas_planversion_plan_number_uniq"),
            models.UniqueConstraint(
                fields=["plan", "effective_from"],
                name="quotas_planversion_plan_from_uniq",
                violation_error_message=_("Another version of this plan already starts on that date."),
            ),
            models.CheckConstraint(
                condition=models.Q(points_target__isnull=True) | models.Q(points_target__gt=0),
                name="quotas_planversion_points_positive",
            ),
        ]

    def __str__(self):
        return f"{self.plan} v{self.number}"


class QuotaLine(models.Model):
    """One target of a plan version: a minimum of an activity, or a sales target of an outcome."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(QuotaPlanVersion, on_delete=models.CASCADE, related_name="lines")
    activity_type = models.ForeignKey(ActivityType, verbose_name=_("type"), on_delete=models.RESTRICT, related_name="+")
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    topic = models.CharField(
        _("only topic"), max_length=80, blank=True, help_text=_("Count only entries with this topic tag.")
    )
    distinct_contacts = models.BooleanField(
        _("count distinct contacts"), default=False, help_text=_("The same contact twice counts once.")
    )

    class Meta:
        ordering = ["activity_type__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target__gt=0),
                name="quotas_quotaline_target_positive",
                violation_error_message=_("A target must be above 0."),
            ),
        ]

    def __str__(self):
        return f"{self.activity_type_id}: {self.target}"
