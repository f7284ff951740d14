"""django-filter filter sets of the activities pages; every choice is scoped to the request's organization.

A rep, team or type of another organization (or a rep the viewer may not read) is not among the choices,
so the form rejects it as an invalid choice: a filter can narrow the viewer's rows, never widen them.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization
from accounts.roles import Role
from accounts.selectors import team_list

from .models import ActivityEntry, Source
from .selectors import activity_type_list, reps_visible_to

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateRangeFilterForm(forms.Form):
    """The form of a filter set with `date_from` and `date_to` (pages and the API): they must be in order."""

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("date_from"), cleaned_data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned_data


class EntryFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte", widget=DATE_WIDGET)
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte", widget=DATE_WIDGET)
    activity_type = django_filters.ModelChoiceFilter(label=_("Type"), queryset=None, empty_label=_("All types"))
    rep = django_filters.ModelChoiceFilter(label=_("Sales rep"), queryset=None, empty_label=_("All reps"))
    team = django_filters.ModelChoiceFilter(
        label=_("Team"), field_name="rep__team", queryset=None, empty_label=_("All teams")
    )
    topic = django_filters.CharFilter(
        label=_("Topic"),
        lookup_expr="icontains",
        widget=forms.TextInput(attrs={"list": "topic-suggestions", "autocomplete": "off"}),
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices, empty_label=_("All sources"))

    class Meta:
        model = ActivityEntry
        form = DateRangeFilterForm
        fields = ["date_from", "date_to", "activity_type", "rep", "team", "topic", "source"]

    def __init__(self, *args, organization: Organization, viewer: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["activity_type"].queryset = activity_type_list(organization=organization, include_archived=True)
        if viewer.role == Role.REP:
            # A rep reads only their own entries: choosing a rep or a team would mean nothing.
            del self.filters["rep"], self.filters["team"]
        else:
            self.filters["rep"].queryset = reps_visible_to(organization=organization, viewer=viewer)
            self.filters["team"].queryset = team_list(organization=organization, include_archived=True)
        self.form.fields["activity_type"].label_from_instance = _type_label


def _type_label(activity_type) -> str:
    if activity_type.is_archived:
        return _("%(name)s (archived)") % {"name": activity_type.name}
    return activity_type.name
