"""The team dashboard (managers, admins, owners) and the organization overview (admins, owners).

The dashboard shows, for the current period of a kind (live) or any closed period (frozen), every rep the
viewer may see × the period's quota lines; it sorts by any column, filters by team, status, plan and
probation, and `?_export=csv|xlsx` downloads exactly the rows, columns and order shown, with the totals.
The overview sums the same rows up by team, lists the reps flagged and the close status of the latest periods.
"""

from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from accounts.mixins import OrganizationMixin
from accounts.models import Organization
from accounts.roles import Role
from activities.tables import EntryExport

from ..filters_dashboard import DashboardFilter
from ..models import Period, PeriodKind
from ..selectors import dashboard as selectors
from ..selectors import overview
from ..tables_dashboard import DashboardTable
from .progress import CURRENT_TITLES

DEFAULT_KIND = PeriodKind.WEEK


@dataclass(frozen=True)
class PeriodChoice:
    """The period picker: the kinds offered, the chosen kind, its closed periods, and the period shown."""

    kinds: list[tuple[str, str]]
    kind: str
    closed_periods: list[Period]
    period: selectors.DashboardPeriod

    @property
    def current_title(self) -> str:
        return str(CURRENT_TITLES[self.kind])  # "This week"

    @property
    def title(self) -> str:
        return str(PeriodKind(self.kind).label) if self.period.closed else self.current_title


def period_choice(*, organization: Organization, query) -> PeriodChoice | None:
    """Read ?kind=…&period=<closed period id> (none: the current period of the kind). None when the
    organization has no live plan to measure. A period id that is not one of the organization's closed
    periods is 404; a period of another kind than the one asked for gives way to that kind's current period
    (the kind was changed in the picker without JavaScript)."""
    kinds = selectors.dashboard_kinds(organization=organization)
    chosen = None
    raw = query.get("period", "")
    if raw:
        if not (raw.isascii() and raw.isdigit()):
            raise Http404
        chosen = selectors.dashboard_period_get(organization=organization, pk=int(raw))
        if chosen.kind not in kinds:  # the history of a kind without live plans any more
            kinds = [kind for kind in PeriodKind.values if kind in {*kinds, chosen.kind}]
    if not kinds:
        return None
    requested = query.get("kind", "")
    if requested in kinds:
        kind = requested
    elif chosen is not None:
        kind = chosen.kind
    else:
        kind = DEFAULT_KIND if DEFAULT_KIND in kinds else kinds[0]
    if chosen is not None and chosen.kind != kind:
        chosen = None
    return PeriodChoice(
        kinds=[(value, str(PeriodKind(value).label)) for value in kinds],
        kind=kind,
        closed_periods=selectors.dashboard_closed_periods(organization=organization, kind=kind),
        period=selectors.dashboard_period(organization=organization, kind=kind, period=chosen),
    )


def at_a_glance(rows: list[selectors.DashboardRow]) -> dict:
    return {
        "reps": len(rows),
        "all_met": sum(1 for row in rows if row.plan_status == selectors.PlanStatus.ALL_MET),
        "needs_attention": sum(1 for row in rows if row.needs_attention),
        "exceeded": sum(1 for row in rows if row.exceeded),
        "open_flags": sum(row.open_flags for row in rows),
        "to_recognise": sum(row.open_recognitions for row in rows),
        "attainment": selectors.mean_attainment(rows),
    }


class DashboardMixin:
    """The period choice, the filters and the measured rows, shared by the dashboard and the overview."""

    filter_query = True  # the overview shows everyone: it reads only the period from the query

    @cached_property
    def choice(self) -> PeriodChoice | None:
        return period_choice(organization=self.organization, query=self.request.GET)

    @cached_property
    def filterset(self) -> DashboardFilter | None:
        if self.choice is None:
            return None
        data = self.request.GET if self.filter_query else {}
        return DashboardFilter(data, organization=self.organization, viewer=self.membership, period=self.choice.period)

    @cached_property
    def dashboard(self) -> selectors.Dashboard | None:
        if self.choice is None:
            return None
        period = self.choice.period
        if not self.filterset.is_valid():
            return selectors.Dashboard(period=period, lines=[], rows=[])
        measured = selectors.team_dashboard(organization=self.organization, period=period, reps=self.filterset.qs)
        rows = self.filterset.filter_rows(measured.rows)
        lines = [line for line in measured.lines if any(line.label in row.cells for row in rows)]
        return selectors.Dashboard(period=period, lines=lines, rows=rows)


class TeamDashboardView(OrganizationMixin, DashboardMixin, ExportMixin, SingleTableMixin, TemplateView):
    required_role = Role.MANAGER
    template_name = "quotas/dashboard.html"
    table_class = DashboardTable
    table_pagination = False
    export_class = EntryExport
    export_formats = (EntryExport.CSV, EntryExport.XLSX)

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get(self.export_trigger_param)
        if self.export_class.is_valid_format(export_format) and self.dashboard is not None:
            return self.create_export(export_format)  # the same rows as the page, without the page around them
        return super().get(request, *args, **kwargs)

    def get_table_data(self):
        return self.dashboard.rows if self.dashboard is not None else []

    def get_table_kwargs(self):
        dashboard = self.dashboard
        lines = dashboard.lines if dashboard is not None else []
        rows = self.get_table_data()
        return {"organization": self.organization, "lines": lines, "totals": selectors.dashboard_totals(rows, lines)}

    def get_export_filename(self, export_format):
        period = self.dashboard.period
        return f"dashboard-{self.organization.slug}-{period.kind}-{period.start.isoformat()}.{export_format}"

    def get_dataset_kwargs(self):
        return {"title": _("Dashboard")}

    def get_context_data(self, **kwargs):
        rows = self.get_table_data()
        return super().get_context_data(
            choice=self.choice,
            filter=self.filterset,
            glance=at_a_glance(rows),
            **kwargs,
        )


class OrganizationOverviewView(OrganizationMixin, DashboardMixin, TemplateView):
    """Attainment by team, the reps flagged and the close status of the latest periods (admins, owners)."""

    required_role = Role.ADMIN
    template_name = "quotas/organization_overview.html"
    filter_query = False

    def get_context_data(self, **kwargs):
        organization = self.organization
        dashboard = self.dashboard
        rows = dashboard.rows if dashboard is not None else []
        kinds = [value for value, _label in self.choice.kinds] if self.choice else []
        now = timezone.now()
        context = {
            "choice": self.choice,
            "glance": at_a_glance(rows),
            "teams": overview.team_summaries(rows),
            "flagged": [row for row in rows if row.flagged],
            "closes": overview.latest_period_closes(organization=organization, kinds=kinds, now=now),
            "close_problems": overview.close_problems(organization=organization, now=now),
        }
        return super().get_context_data(**context, **kwargs)
