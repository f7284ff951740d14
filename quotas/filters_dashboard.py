"""The team dashboard's filters (django-filter): team, line status, plan status, probation.

Team and probation narrow the reps in the database before anything is measured; status and plan depend on
the measured rows, so the filter set validates them and `filter_rows` applies them in memory. Every choice is
scoped: a manager can pick only the teams they lead; another organization's team is an invalid choice.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization
from accounts.roles import Role

from .selectors.dashboard import (
    CELL_STATUS_LABELS,
    CLOSED_STATUSES,
    LIVE_STATUSES,
    PLAN_STATUS_LABELS,
    DashboardPeriod,
    DashboardRow,
    PlanStatus,
    dashboard_reps,
    dashboard_rows_filter,
    dashboard_teams,
    in_probation,
)

PROBATION_YES, PROBATION_NO = "yes", "no"
PLAN_CHOICES = [
    (value, PLAN_STATUS_LABELS[value])
    for value in (PlanStatus.ALL_MET, PlanStatus.NOT_MET, PlanStatus.IN_PROGRESS, PlanStatus.NO_TARGET)
]


class DashboardFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=None, empty_label=_("All my teams"))
    status = django_filters.ChoiceFilter(
        label=_("A line is"), choices=[], empty_label=_("Any status"), method="filter_in_memory"
    )
    plan = django_filters.ChoiceFilter(
        label=_("Plan"), choices=PLAN_CHOICES, empty_label=_("Any plan status"), method="filter_in_memory"
    )
    probation = django_filters.ChoiceFilter(
        label=_("Probation"),
        choices=[(PROBATION_YES, _("In probation")), (PROBATION_NO, _("Not in probation"))],
        empty_label=_("Everyone"),
        method="filter_probation",
    )

    class Meta:
        model = Membership
        fields = ["team", "status", "plan", "probation"]

    def __init__(self, data, *, organization: Organization, viewer: Membership, period: DashboardPeriod, **kwargs):
        super().__init__(data, queryset=dashboard_reps(organization=organization, viewer=viewer), **kwargs)
        self.period = period
        teams = dashboard_teams(organization=organization, viewer=viewer)
        self.filters["team"].queryset = teams
        if viewer.has_role_at_least(Role.ADMIN):
            self.filters["team"].extra["empty_label"] = _("All teams")
        statuses = CLOSED_STATUSES if period.closed else LIVE_STATUSES
        self.filters["status"].extra["choices"] = [(value, CELL_STATUS_LABELS[value]) for value in statuses]

    def filter_probation(self, queryset, name, value):
        overlaps = in_probation(start=self.period.start, end=self.period.end)
        return queryset.filter(overlaps) if value == PROBATION_YES else queryset.exclude(overlaps)

    def filter_in_memory(self, queryset, name, value):
        return queryset  # see filter_rows: the status of a line is known only once it is measured

    def filter_rows(self, rows: list[DashboardRow]) -> list[DashboardRow]:
        data = self.form.cleaned_data
        return dashboard_rows_filter(rows, status=data.get("status") or "", plan=data.get("plan") or "")
