"""django-filter filter sets; every queryset is scoped to the request's organization."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Membership
from .roles import Role
from .selectors import team_list


class MembershipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or e-mail"), method="filter_search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, empty_label=_("All roles"))
    team = django_filters.ModelChoiceFilter(
        label=_("Team"), queryset=None, method="filter_team", empty_label=_("All teams")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        field_name="is_active",
        choices=[(True, _("Active")), (False, _("Deactivated"))],
        empty_label=_("Everyone"),
    )

    class Meta:
        model = Membership
        fields = ["q", "role", "team", "status"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["team"].queryset = team_list(organization=organization, include_archived=True)

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(user__email__icontains=value) | Q(user__first_name__icontains=value) | Q(user__last_name__icontains=value)
        )

    def filter_team(self, queryset, name, value):
        return queryset.filter(Q(team=value) | Q(managed_teams=value)).distinct()
