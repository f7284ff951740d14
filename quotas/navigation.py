"""The quotas app's entries in the organization navigation (see settings.ORGANIZATION_NAVIGATION)."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from accounts.navigation import MAIN, MORE
from accounts.roles import Role

from .selectors.calendar import quota_settings_get


def leaderboard_shown(membership) -> bool:
    """The leaderboard's entry shows only while the organization has it on (Calendar settings). The request's member
    comes with its organization's settings (settings.ORGANIZATION_REQUEST_RELATED): no query of its own."""
    organization = membership.organization
    relation = Organization.quota_settings.related
    if relation.is_cached(organization):
        loaded = relation.get_cached_value(organization)  # None: the organization has not saved settings yet
        return loaded is not None and loaded.leaderboard_enabled
    return quota_settings_get(organization=organization).leaderboard_enabled


# The pages managers and admins live in: first in their bar (listed first in settings.ORGANIZATION_NAVIGATION).
DASHBOARDS = [
    (Role.MANAGER, "quotas:team-dashboard", _("Dashboard"), MAIN),
    (Role.ADMIN, "quotas:organization-overview", _("Team results"), MAIN),
]

# (least role, URL name, label), in the order shown.
NAV = [
    (Role.REP, "quotas:my-progress", _("Progress"), MAIN),
    (Role.REP, "quotas:plan-list", _("Plans"), MAIN),
    (Role.REP, "quotas:calendar", _("Calendar"), MORE),
    (Role.REP, "quotas:leave-list", _("Leave"), MAIN),
    (Role.REP, "quotas:flag-list", _("Flags"), MAIN),
    (Role.REP, "quotas:leaderboard", _("Leaderboard"), MAIN, leaderboard_shown),
    (Role.HR, "quotas:probation-list", _("Probation"), MAIN),
    (Role.REP, "quotas:notification-list", _("Notifications"), MORE),
    (Role.REP, "quotas:correction-list", _("Corrections"), MORE),
    (Role.ADMIN, "quotas:period-list", _("Periods"), MORE),
]
