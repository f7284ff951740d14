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
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Failed close attempts since the last success: at MAX_CLOSE_ATTEMPTS the period stops as close_failed.
    close_attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

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
    close_grace_minutes = models.PositiveIntegerField(
        _("close grace (minutes)"),
        default=120,
        validators=[MaxValueValidator(7 * 24 * 60)],
        help_text=_("A period closes this long after local midnight following its last day (120: at 02:00)."),
    )
    reminder_enabled = models.BooleanField(
        _("remind reps at 16:00"),
        default=False,
        help_text=_("E-mail reps who logged nothing by 16:00 on a working day."),
    )
    exceeded_tier_percent = models.PositiveSmallIntegerField(
        _("exceeded from (%)"),
        default=120,
        validators=[MinValueValidator(101), MaxValueValidator(1000)],
        help_text=_("A result at or above this share of the target counts as exceeded."),
    )
    leaderboard_enabled = models.BooleanField(
        _("show the leaderboard"),
        default=False,
        help_text=_("Rank reps by attainment or points for the period; reps see it only when this is on."),
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
                    | models.Q(scope=PlanScope.ORGANIZATION, team__isnull=True, rep__isnull=True)
                    # A probation plan applies to the reps in probation of one team, or (no team) of every team.
                    | models.Q(scope=PlanScope.PROBATION, rep__isnull=True)
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


class PeriodClose(models.Model):
    """One close of a period: the claim on it and the owner of its results.

    A re-close (after a correction or an audited reopen) supersedes the current close; superseded closes and
    their results stay as history. At most one close of a period is current (a unique constraint), which
    is also what makes two workers closing the same period at once end with one result set.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="closes")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["period", "number"], name="quotas_periodclose_period_number_uniq"),
            models.UniqueConstraint(
                fields=["period"], condition=models.Q(superseded_at__isnull=True), name="quotas_periodclose_one_current"
            ),
        ]

    def __str__(self):
        return f"{self.period} close {self.number}"


class ResultStatus(models.TextChoices):
    BELOW_MINIMUM = "below_minimum", _("Below minimum")
    MET = "met", _("Met")
    EXCEEDED = "exceeded", _("Exceeded")
    NO_TARGET = "no_target", _("No target")


class PeriodResult(models.Model):
    """A frozen result: one rep, one line (or the points target) of one closed period. Never rewritten.

    A snapshot row, written only by the close's set-based INSERT … SELECT (services/close_results.py) from rows
    that the close read in the same transaction. Only its close is a foreign key the database checks; the
    other references are copies (Django still applies their on_delete, and memberships, plan versions and
    lines are never deleted). Each checked reference cost the close ~6 ms per 600 results at COMMIT, and
    each index as much again, so the indexes kept are the ones pages read by: (organization, rep, period),
    period, and the uniqueness per close."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    period_close = models.ForeignKey(PeriodClose, on_delete=models.CASCADE, related_name="results", db_index=False)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    rep = models.ForeignKey(Membership, on_delete=models.RESTRICT, related_name="+", db_constraint=False, db_index=False)
    version = models.ForeignKey(
        QuotaPlanVersion, on_delete=models.RESTRICT, related_name="+", db_constraint=False, db_index=False
    )
    line = models.ForeignKey(
        QuotaLine, on_delete=models.RESTRICT, null=True, blank=True, related_name="+", db_constraint=False,
        db_index=False,
    )  # None: the points target
    label = models.CharField(max_length=200)
    target_full = models.DecimalField(max_digits=14, decimal_places=2)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    explanation = models.CharField(max_length=300)
    actual = models.DecimalField(max_digits=16, decimal_places=2)
    attainment = models.DecimalField(max_digits=8, decimal_places=0, null=True, blank=True)
    status = models.CharField(max_length=16, choices=ResultStatus.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period_close", "rep", "line"], name="quotas_result_close_rep_line_uniq"
            ),
            models.UniqueConstraint(
                fields=["period_close", "rep"], condition=models.Q(line__isnull=True), name="quotas_result_close_rep_points_uniq"
            ),
        ]
        indexes = [models.Index(fields=["organization", "rep", "period"], name="quotas_result_org_rep_period")]

    def __str__(self):
        return f"{self.rep_id} {self.label}: {self.actual}/{self.target}"


class RepPeriodSummary(models.Model):
    """Per rep and close: whether every target was met, and the streak of consecutive periods met.

    `plan_met` is None when the rep had no target in the period (leave all week, a day without working days): such
    a period neither extends nor breaks the streak. A snapshot row like PeriodResult: only its close is a foreign
    key the database checks."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    period_close = models.ForeignKey(PeriodClose, on_delete=models.CASCADE, related_name="summaries", db_index=False)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    rep = models.ForeignKey(Membership, on_delete=models.RESTRICT, related_name="+", db_constraint=False)
    plan_met = models.BooleanField(null=True)
    streak = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period_close", "rep"], name="quotas_summary_close_rep_uniq"),
        ]


class FlagKind(models.TextChoices):
    BELOW_MINIMUM = "below_minimum", _("Below minimum")
    PLAN_NOT_MET = "plan_not_met", _("Plan not met")
    EXCEEDED = "exceeded", _("Exceeded")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    WITHDRAWN = "withdrawn", _("Withdrawn by a re-close")


class Flag(models.Model):
    """A closed result that needs a manager's attention (or, for "exceeded", recognition).

    Written by the close with its results (one INSERT … SELECT): like a result, only its close is a foreign
    key the database checks; organization, period, rep and result are copies from that close's rows."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    period_close = models.ForeignKey(PeriodClose, on_delete=models.CASCADE, related_name="flags")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    rep = models.ForeignKey(Membership, on_delete=models.RESTRICT, related_name="flags", db_constraint=False)
    result = models.ForeignKey(
        PeriodResult, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_constraint=False,
        db_index=False,
    )
    kind = models.CharField(max_length=16, choices=FlagKind.choices)
    status = models.CharField(max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "status", "rep"], name="quotas_flag_org_status_rep")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.rep_id} {self.period_id}"


class FlagComment(models.Model):
    """The thread of a flag: the manager's acknowledgement, the rep's response; HR reads it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class NotificationKind(models.TextChoices):
    MANAGER_DIGEST = "manager_digest", _("Manager digest")
    REP_SUMMARY = "rep_summary", _("Results summary")
    HR_DIGEST = "hr_digest", _("Probation digest")
    CLOSE_FAILED = "close_failed", _("Close failed")
    REMINDER = "reminder", _("Reminder")


class Notification(models.Model):
    """An in-app notification, written before its e-mail is sent: `key` makes each one exist (and be
    e-mailed) once, however often the job that creates it runs."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "recipient", "read_at"], name="quotas_notif_org_recipient")]

    def __str__(self):
        return self.subject


class CorrectionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Correction(models.Model):
    """A rep's request to change a closed period: a new quantity for an entry, or a missing entry."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="corrections")
    rep = models.ForeignKey(Membership, on_delete=models.RESTRICT, related_name="corrections")
    entry = models.ForeignKey(
        "activities.ActivityEntry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )  # None: a missing entry to add
    activity_type = models.ForeignKey(ActivityType, verbose_name=_("type"), on_delete=models.RESTRICT, related_name="+")
    date = models.DateField(_("date"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quotas_correction_quantity_positive"),
        ]


class PeriodReopen(models.Model):
    """An admin's audited reopen of a closed period (its entries unlock; the next sweep re-closes it)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="reopens")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)


class ProbationDecisionKind(models.TextChoices):
    CONFIRM = "confirm", _("Confirm the employment")
    EXTEND = "extend", _("Extend the probation")
    END = "end", _("End the employment")


class ProbationDecision(models.Model):
    """HR's decision at the end of a rep's probation, dated and signed; never edited (a new one follows).

    Extending moves the rep's probation end (Membership.probation_end) to `new_end`; ending sets the
    employment's last day to `new_end`. `previous_end` keeps what the probation end was before.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    rep = models.ForeignKey(Membership, on_delete=models.RESTRICT, related_name="probation_decisions")
    decision = models.CharField(_("decision"), max_length=8, choices=ProbationDecisionKind.choices)
    previous_end = models.DateField(_("probation end before"), null=True, blank=True)
    new_end = models.DateField(_("new date"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=4000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["organization", "rep"], name="quotas_probdecision_org_rep")]

    def __str__(self):
        return f"{self.rep_id}: {self.decision}"
