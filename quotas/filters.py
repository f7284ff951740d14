"""django-filter filter sets of the quotas pages (choices are fixed lists: nothing to scope)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Period, PeriodKind, PeriodStatus, PlanScope, QuotaPlan

STATUS_ACTIVE, STATUS_ARCHIVED, STATUS_ALL = "active", "archived", "all"


class QuotaPlanFilter(django_filters.FilterSet):
    """Archived plans are hidden unless asked for: the view binds the filter even without parameters."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (STATUS_ACTIVE, _("Active plans")),
            (STATUS_ARCHIVED, _("Archived plans")),
            (STATUS_ALL, _("All plans")),
        ],
        empty_label=None,
        method="filter_status",
    )
    period_kind = django_filters.ChoiceFilter(
        label=_("Period"), choices=PeriodKind.choices, empty_label=_("Any period")
    )
    scope = django_filters.ChoiceFilter(label=_("Applies to"), choices=PlanScope.choices, empty_label=_("Anyone"))

    class Meta:
        model = QuotaPlan
        fields = ["status", "period_kind", "scope"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):  # the default: active plans only
            queryset = self.filter_status(queryset, "status", STATUS_ACTIVE)
        return queryset

    def filter_status(self, queryset, name, value):
        if value == STATUS_ACTIVE:
            return queryset.filter(archived_at__isnull=True)
        if value == STATUS_ARCHIVED:
            return queryset.filter(archived_at__isnull=False)
        return queryset


class PeriodFilter(django_filters.FilterSet):
    """The admin's periods page: narrow by kind and status."""

    kind = django_filters.ChoiceFilter(label=_("Period"), choices=PeriodKind.choices, empty_label=_("Any period"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PeriodStatus.choices, empty_label=_("Any status"))

    class Meta:
        model = Period
        fields = ["kind", "status"]
