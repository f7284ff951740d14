"""Filters of `GET /api/v1/results/`. They only narrow the results the token's member may read."""

import django_filters

from activities.filters import DateRangeFilterForm

from ..models import PeriodKind, PeriodResult, ResultStatus


class ResultApiFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(field_name="period__kind", choices=PeriodKind.choices,
                                       help_text="Only periods of this kind.")  # fmt: skip
    date_from = django_filters.DateFilter(
        field_name="period__end", lookup_expr="gte", help_text="Periods that end on or after this day (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        field_name="period__start", lookup_expr="lte", help_text="Periods that start on or before this day."
    )
    rep = django_filters.CharFilter(
        field_name="rep__user__email", lookup_expr="iexact", help_text="The sales rep's e-mail address."
    )
    status = django_filters.ChoiceFilter(choices=ResultStatus.choices, help_text="Only results of this status.")

    class Meta:
        model = PeriodResult
        form = DateRangeFilterForm
        fields = ["kind", "date_from", "date_to", "rep", "status"]
