"""The quotas app's entries in the organization navigation (see settings.ORGANIZATION_NAVIGATION)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import MAIN, MORE
from accounts.roles import Role

# (least role, URL name, label), in the order shown.
NAV = [
    (Role.REP, "quotas:my-progress", _("Progress"), MAIN),
    (Role.REP, "quotas:plan-list", _("Plans"), MAIN),
    (Role.REP, "quotas:calendar", _("Calendar"), MORE),
    (Role.REP, "quotas:leave-list", _("Leave"), MAIN),
    (Role.REP, "quotas:flag-list", _("Flags"), MAIN),
    (Role.REP, "quotas:notification-list", _("Notifications"), MORE),
    (Role.REP, "quotas:correction-list", _("Corrections"), MORE),
    (Role.ADMIN, "quotas:period-list", _("Periods"), MORE),
]
