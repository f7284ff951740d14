"""The activities app's entries in the organization navigation (see settings.ORGANIZATION_NAVIGATION)."""

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

# (least role, URL name, label), in the order shown.
NAV = [
    (Role.REP, "activities:today", _("Today")),
    (Role.REP, "activities:entry-list", _("Activity")),
    (Role.ADMIN, "activities:type-list", _("Activity types")),
    (Role.MANAGER, "activities:import-create", _("Import")),
    (Role.REP, "activities:token-list", _("API")),
]
