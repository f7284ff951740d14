"""The quotas app's entries in the organization navigation (see settings.ORGANIZATION_NAVIGATION)."""

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

# (least role, URL name, label), in the order shown.
NAV = [
    (Role.REP, "quotas:my-progress", _("Progress")),
    (Role.REP, "quotas:plan-list", _("Plans")),
    (Role.REP, "quotas:calendar", _("Calendar")),
    (Role.REP, "quotas:leave-list", _("Leave")),
]
