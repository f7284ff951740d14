"""Navigation for base.html: the user's organizations (switcher) and the links their role may use."""

from functools import cache

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .navigation import MAIN, MORE
from .roles import Role
from .selectors import organization_list_for_user

HOME = (Role.REP, "accounts:organization-home", _("Overview"), MAIN)


@cache
def organization_navigation() -> list[tuple]:
    """Every app's navigation entries, in the order of settings.ORGANIZATION_NAVIGATION."""
    return [HOME, *(entry for path in settings.ORGANIZATION_NAVIGATION for entry in import_string(path))]


def _links(request, membership) -> dict[str, list[dict]]:
    links = {MAIN: [], MORE: []}
    home_url = reverse(HOME[1], kwargs={"org_slug": membership.organization.slug})
    for role, url_name, label, place, *shown in organization_navigation():
        # An optional fifth item, shown(membership) -> bool, hides an entry (a feature switched off).
        if membership.has_role_at_least(role) and all(is_shown(membership) for is_shown in shown):
            url = reverse(url_name, kwargs={"org_slug": membership.organization.slug})
            current = request.path == url if url == home_url else request.path.startswith(url)
            links[place].append({"url": url, "label": label, "current": current})
    return links


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    links = {MAIN: [], MORE: []}
    if membership is not None:
        # Once per request: django-tables2 renders template cells with the context processors again.
        if not hasattr(request, "_navigation_links"):
            request._navigation_links = _links(request, membership)
        links = request._navigation_links
    return {
        "nav_memberships": organization_list_for_user(user=user),
        "nav_links": links[MAIN],
        "nav_more": links[MORE],
        "nav_more_current": any(link["current"] for link in links[MORE]),
    }
