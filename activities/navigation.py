"""The activities app's entries in the organization navigation (see settings.ORGANIZATION_NAVIGATION)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import MAIN, MORE
from accounts.roles import Role


def logs_activity(membership) -> bool:
    """HR reads entries and never logs any: no Today link for HR (every other role logs for someone)."""
    return membership.role != Role.HR


# (least role, URL name, label, MAIN bar or MORE menu[, shown(membership)]), in the order shown.
NAV = [
    (Role.REP, "activities:today", _("Today"), MAIN, logs_activity),
    (Role.REP, "activities:entry-list", _("Activity"), MAIN),
    (Role.ADMIN, "activities:type-list", _("Activity types"), MORE),
    (Role.MANAGER, "activities:import-create", _("Import"), MORE),
    (Role.REP, "activities:token-list", _("API tokens"), MORE),
]
