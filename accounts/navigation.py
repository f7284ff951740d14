"""The accounts app's entries in the organization navigation (see settings.ORGANIZATION_NAVIGATION)."""

from django.utils.translation import gettext_lazy as _

from .roles import Role

# (least role, URL name, label), in the order shown.
NAV = [
    (Role.MANAGER, "accounts:team-list", _("Teams")),
    (Role.MANAGER, "accounts:member-list", _("Members")),
    (Role.ADMIN, "accounts:invitation-list", _("Invitations")),
    (Role.ADMIN, "accounts:organization-settings", _("Settings")),
]
