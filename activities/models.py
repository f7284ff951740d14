"""Activity types, entries (an append-friendly event log) and locks on closed date ranges.

Daily totals are derived from entries, never stored. A database trigger (see migration 0002) rejects
any insert, update or delete of an entry whose date lies in a locked range of its organization.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Membership, Organization

# The error text of the lock trigger (activities/triggers.py), recognised by the services.
ENTRY_LOCKED_MARKER = "activities_entry_locked"

MAX_COUNT = 10_000
MAX_MONEY = Decimal("1000000000.00")


class Category(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    OUTCOME = "outcome", _("Outcome")


class Kind(models.TextChoices):
    COUNT = "count", _("Count")
    MONEY = "money", _("Money")


class Source(models.TextChoices):
    WEB = "web", _("Web")
    IMPORT = "import", _("Import")
    API = "api", _("API")


class ActivityType(models.Model):
    """What is counted: outbound calls, prospect e-mails, revenue… Archived, never deleted once used."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="activity_types")
    name = models.CharField(_("name"), max_length=80)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.ACTIVITY)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.COUNT)
    unit_label = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("For example calls, e-mails, SEK."))
    points = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Optional weight for points targets, e.g. 1 per call, 5 per meeting."),
    )
    counts_as_outreach = models.BooleanField(
        _("counts as outreach"),
        default=False,
        help_text=_("Conversion (outcomes per 100 activities) counts these: calls, e-mails, social contacts…"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    # Which built-in default this type started as (empty for types an admin added).
    default_key = models.SlugField(max_length=40, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "organization",
                name="activities_activitytype_org_name_uniq",
                violation_error_message=_("An activity type with this name already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(points__isnull=True) | models.Q(points__gte=0),
                name="activities_activitytype_points_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_money(self) -> bool:
        return self.kind == Kind.MONEY

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ActivityEntry(models.Model):
    """One self-reported (or imported / API-pushed) fact: a rep did `quantity` of a type on a local date."""

    # Every query starts from the organization: the composite indexes below serve it, a single-column one
    # would only slow each write down.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Indexed by (rep, created_at) below: the Today page's Undo looks for the newest entry.
    rep = models.ForeignKey(
        Membership, verbose_name=_("rep"), on_delete=models.RESTRICT, related_name="entries", db_index=False
    )
    date = models.DateField(_("date"))
    activity_type = models.ForeignKey(
        ActivityType, verbose_name=_("type"), on_delete=models.RESTRICT, related_name="entries"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    topic = models.CharField(_("topic"), max_length=80, blank=True, help_text=_('For example "retirement planning".'))
    contact = models.CharField(
        _("contact"), max_length=255, blank=True, help_text=_("Name, e-mail or link to the social comment.")
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.WEB)
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # A default rather than auto_now_add, so that seeded history can say when each entry was entered.
    created_at = models.DateTimeField(_("entered"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("activity entry")
        verbose_name_plural = _("activity entries")
        ordering = ["-date", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="activities_entry_quantity_positive"),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="activities_entry_org_external_id_uniq",
            ),
        ]
        indexes = [
            # Covering (PostgreSQL): the close's and the progress's sums per rep and type read the index only.
            models.Index(
                fields=["organization", "rep", "date"], include=["activity_type", "quantity"],
                name="activities_entry_rep_date_cov",
            ),
            models.Index(fields=["rep", "created_at"], name="activities_entry_rep_created"),
            models.Index(fields=["organization", "date"], name="activities_entry_org_date"),
            models.Index(fields=["organization", "topic"], name="activities_entry_org_topic"),
        ]

    def __str__(self):
        return f"{self.date} {self.activity_type_id} × {self.quantity}"

    @property
    def entered_on_behalf(self) -> bool:
        return self.entered_by_id is not None and self.entered_by_id != self.rep.user_id


class EntryLock(models.Model):
    """A date range of an organization whose entries no database write may change (enforced by trigger).

    The nightly close locks a period's dates; an audited reopen sets `unlocked_at`. Rows are kept as the
    record of who locked and unlocked what.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField()
    locked_at = models.DateTimeField(auto_now_add=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unlock_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="activities_entrylock_range_order"
            ),
        ]
        indexes = [models.Index(fields=["organization", "start_date", "end_date"], name="activities_lock_org_range")]

    def __str__(self):
        return f"{self.organization_id}: {self.start_date}–{self.end_date}"


class ImportBatch(models.Model):
    """An uploaded CSV of entries: previewed first, then imported completely in one transaction, or not at all."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(Membership, on_delete=models.RESTRICT, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.TextField(help_text="The decoded file, kept until it is imported or abandoned.")
    row_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    entry_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.filename


class ApiToken(models.Model):
    """A personal access token for the JSON API: one member of one organization. Only its hash is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80, help_text=_("What uses it, e.g. the dialer."))
    prefix = models.CharField(max_length=16, help_text="The token's first characters, to recognise it in lists.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
