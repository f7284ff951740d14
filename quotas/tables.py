"""django-tables2 tables of the quotas pages."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from .models import PlanScope, QuotaPlan
from .selectors.plans import version_in_force, version_scheduled


def plan_applies_to(plan: QuotaPlan) -> str:
    """All reps, the team's name, the rep's name, or reps in probation (of one team: "Reps in probation · Team")."""
    if plan.scope == PlanScope.TEAM and plan.team is not None:
        return plan.team.name
    if plan.scope == PlanScope.REP and plan.rep is not None:
        return plan.rep.user.display_name
    if plan.scope == PlanScope.PROBATION and plan.team is not None:
        return f"{PlanScope(plan.scope).label} · {plan.team.name}"
    return str(PlanScope(plan.scope).label)


class QuotaPlanTable(tables.Table):
    """Plans with their version in force today (from `selectors.quota_plan_rows`: no query per row)."""

    name = tables.Column(verbose_name=_("Name"), linkify=lambda record, table: table.plan_url(record))
    applies_to = tables.Column(
        verbose_name=_("Applies to"), empty_values=(), order_by=("scope", "team__name", "rep__user__first_name", "name")
    )
    period_kind = tables.Column(verbose_name=_("Period"), order_by=("period_kind", "name"))
    version = tables.Column(verbose_name=_("Version"), empty_values=(), orderable=False)
    lines = tables.Column(
        verbose_name=_("Lines"),
        empty_values=(),
        orderable=False,
        attrs={"th": {"class": "num"}, "td": {"class": "num"}},
    )
    status = tables.Column(verbose_name=_("Status"), empty_values=(), order_by=("archived_at", "name"))

    class Meta:
        model = QuotaPlan
        fields = []
        sequence = ["name", "applies_to", "period_kind", "version", "lines", "status"]
        order_by = ("name",)
        attrs = {"class": "striped plan-list"}
        empty_text = _("No plans match these filters.")
        template_name = "activities/partials/_entry_table.html"

    def __init__(self, *args, organization: Organization, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.today = today

    def plan_url(self, record) -> str:
        return reverse("quotas:plan-detail", kwargs={"org_slug": self.organization.slug, "plan_pk": record.pk})

    def render_applies_to(self, record):
        return plan_applies_to(record)

    def render_version(self, record):
        current = version_in_force(record, day=self.today)
        if current is None:
            upcoming = version_scheduled(record, day=self.today)
            if upcoming is None:
                return "—"
            return _("Version %(number)s from %(date)s") % {
                "number": upcoming.number, "date": date_format(upcoming.effective_from, "SHORT_DATE_FORMAT")
            }  # fmt: skip
        return _("Version %(number)s since %(date)s") % {
            "number": current.number, "date": date_format(current.effective_from, "SHORT_DATE_FORMAT")
        }  # fmt: skip

    def render_lines(self, record):
        version = version_in_force(record, day=self.today) or version_scheduled(record, day=self.today)
        return len(version.lines.all()) if version is not None else 0

    def render_status(self, record):
        if record.is_archived:
            return format_html('<span class="badge">{}</span>', _("Archived"))
        return _("Active")
