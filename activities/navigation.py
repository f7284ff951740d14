"""The activities app's entries in the organization navigation (see settings.ORGANIZATION_NAVIGATION)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import MAIN, MORE
from accounts.roles import Role

# (least role, URL name, label, MAIN bar or MORE menu), in the order shown.
NAV = [
    (Role.REP, "activities:today", _("Today"), MAIN),
    (Role.REP, "activities:entry-list", _("Activity"), MAIN),
    (Role.ADMIN, "activities:type-list", _("Activity types"), MORE),
    (Role.MANAGER, "activities:import-create", _("Import"), MORE),
    (Role.REP, "activities:token-list", _("API tokens"), MORE),
]
