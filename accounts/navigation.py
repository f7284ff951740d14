"""The accounts app's entries in the organization navigation (see settings.ORGANIZATION_NAVIGATION)."""

from django.utils.translation import gettext_lazy as _

from .roles import Role

# Where an entry shows: in the bar, or in the "More" menu (set-up pages used now and then).
MAIN = "main"
MORE = "more"

# (least role, URL name, label, MAIN or MORE), in the order shown. An optional fifth item, a function of the
# membership returning whether to show the entry, hides it while a feature is off (quotas' leaderboard).
NAV = [
    (Role.MANAGER, "accounts:team-list", _("Teams"), MORE),
    (Role.MANAGER, "accounts:member-list", _("Members"), MORE),
    (Role.ADMIN, "accounts:invitation-list", _("Invitations"), MORE),
    (Role.ADMIN, "accounts:organization-settings", _("Settings"), MORE),
]
