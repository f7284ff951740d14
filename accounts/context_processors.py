"""Navigation for base.html: the user's organizations (switcher) and the links their role may use."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .selectors import organization_list_for_user

# (least role, URL name, label). Later apps add their pages here.
ORGANIZATION_NAV = [
    (Role.REP, "accounts:organization-home", _("Overview")),
    (Role.MANAGER, "accounts:team-list", _("Teams")),
    (Role.MANAGER, "accounts:member-list", _("Members")),
    (Role.ADMIN, "accounts:invitation-list", _("Invitations")),
    (Role.ADMIN, "accounts:organization-settings", _("Settings")),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    links = []
    if membership is not None:
        current = request.path
        for role, url_name, label in ORGANIZATION_NAV:
            if membership.has_role_at_least(role):
                url = reverse(url_name, kwargs={"org_slug": membership.organization.slug})
                links.append({"url": url, "label": label, "current": current == url})
    return {
        "nav_memberships": organization_list_for_user(user=user),
        "nav_links": links,
    }
