"""Activity history: "My activity" (rep), "Team activity" (manager), "All activity" (HR, admin, owner).

The rows are the entries the viewer may read (`selectors.entry_list`), narrowed by the filters; the totals
cover every filtered row, and `?_export=csv|xlsx` downloads exactly those rows in the current sort.
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from accounts.mixins import OrganizationMixin
from accounts.roles import Role

from .. import selectors
from ..filters import EntryFilter
from ..tables import EntryExport, EntryTable, count_text, money_text

PER_PAGE = 50


class EntryListView(OrganizationMixin, ExportMixin, SingleTableMixin, FilterView):
    required_role = Role.REP
    template_name = "activities/entry_list.html"
    filterset_class = EntryFilter
    table_class = EntryTable
    table_pagination = {"per_page": PER_PAGE}
    export_class = EntryExport
    export_formats = (EntryExport.CSV, EntryExport.XLSX)

    @cached_property
    def export_format(self) -> str | None:
        requested = self.request.GET.get(self.export_trigger_param)
        return requested if self.export_class.is_valid_format(requested) else None

    def get(self, request, *args, **kwargs):
        if self.export_format is None:
            return super().get(request, *args, **kwargs)
        # A download: the same filtered rows as the page, without building the page around them.
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.object_list = self.filterset.qs if self.filterset.is_valid() else self.filterset.queryset.none()
        return self.create_export(self.export_format)

    def get_queryset(self):
        return selectors.entry_list(organization=self.organization, viewer=self.membership)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        return {**kwargs, "organization": self.organization, "viewer": self.membership}

    @cached_property
    def totals(self) -> dict:
        return selectors.entries_total(self.object_list)

    def get_table_kwargs(self):
        return {
            "organization": self.organization,
            "show_rep": self.membership.role != Role.REP,
            "totals": None if self.export_format else self.totals,
        }

    def get_table_pagination(self, table):
        return False if self.export_format else super().get_table_pagination(table)

    def get_export_filename(self, export_format):
        return f"activity-{self.organization.slug}-{self.organization.local_today().isoformat()}.{export_format}"

    def get_dataset_kwargs(self):
        return {"title": _("Activity")}

    def get_context_data(self, **kwargs):
        totals = self.totals
        money_total = totals["money_total"]
        return super().get_context_data(
            heading=self.heading(),
            totals=totals,
            count_total=count_text(totals["count_total"] or 0),
            money_total=money_text(money_total, self.organization.currency) if money_total is not None else None,
            topics=selectors.topic_suggestions(organization=self.organization),
            **kwargs,
        )

    def heading(self) -> str:
        if self.membership.role == Role.REP:
            return _("My activity")
        if self.membership.role == Role.MANAGER:
            return _("Team activity")
        return _("All activity")
