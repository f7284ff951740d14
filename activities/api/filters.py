"""Filters of `GET /api/v1/entries/`: the web's entry filters, with the names an integration knows (a type's id,
a rep's e-mail). They only narrow the entries the token's member may read; another organization's ids match
nothing."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ..filters import DateRangeFilterForm
from ..models import ActivityEntry, Source


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class EntryApiFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text="Entries on or after this day (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text="Entries on or before this day (YYYY-MM-DD)."
    )
    type = IntegerFilter(
        field_name="activity_type_id", help_text="An activity type's id (see /api/v1/activity-types/)."
    )
    rep = django_filters.CharFilter(
        field_name="rep__user__email", lookup_expr="iexact", help_text="The sales rep's e-mail address."
    )
    topic = django_filters.CharFilter(lookup_expr="icontains", help_text="Topics containing this text.")
    source = django_filters.ChoiceFilter(choices=Source.choices, help_text="How the entries were recorded.")
    external_id = django_filters.CharFilter(help_text="The id your system gave the entry.")

    class Meta:
        model = ActivityEntry
        form = DateRangeFilterForm
        fields = ["date_from", "date_to", "type", "rep", "topic", "source", "external_id"]
