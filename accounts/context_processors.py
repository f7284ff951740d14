"""Navigation for base.html: the user's organizations (switcher) and the links their role may use.

Every page pays for it, so it costs as little as it can: each value is worked out only when a template reads it
(an htmx partial such as the Today panel never does), the URLs are reversed once per process (accounts.links), and
the switcher reuses the memberships the tenancy middleware read.
"""

from functools import cache

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .links import landing_url_for, organization_url
from .navigation import MAIN, MORE
from .roles import Role
from .selectors import memberships_for_request

HOME = (Role.REP, "accounts:organization-home", _("Overview"), MAIN)


@cache
def organization_navigation() -> list[tuple]:
    """Every app's navigation entries, in the order of settings.ORGANIZATION_NAVIGATION."""
    return [HOME, *(entry for path in settings.ORGANIZATION_NAVIGATION for entry in import_string(path))]


def _links(request, membership) -> dict[str, list[dict]]:
    links = {MAIN: [], MORE: []}
    slug = membership.organization.slug
    home_url = organization_url(HOME[1], slug)
    for role, url_name, label, place, *shown in organization_navigation():
        # An optional fifth item, shown(membership) -> bool, hides an entry (a feature switched off).
        if membership.has_role_at_least(role) and all(is_shown(membership) for is_shown in shown):
            url = organization_url(url_name, slug)
            current = request.path == url if url == home_url else request.path.startswith(url)
            links[place].append({"url": url, "label": label, "current": current})
    return links


def _request_links(request) -> dict[str, list[dict]]:
    """The links of request.membership, once per request (a template may be rendered several times in one)."""
    if not hasattr(request, "_navigation_links"):
        membership = getattr(request, "membership", None)
        request._navigation_links = _links(request, membership) if membership is not None else {MAIN: [], MORE: []}
    return request._navigation_links


def _memberships(request, user) -> list:
    """The user's memberships: on a tenant page those the tenancy middleware loaded, elsewhere one query."""
    if getattr(request, "user_memberships", None) is None:
        request.user_memberships = memberships_for_request(user=user)
    return request.user_memberships


def _switcher(request, user) -> list[dict]:
    """The organization switcher: each of the user's organizations, its landing URL, and whether it is this one."""
    organization = getattr(request, "organization", None)
    current = organization.pk if organization is not None else None
    return [
        {
            "url": landing_url_for(m.role, m.organization.slug),
            "name": m.organization.name,
            "current": m.organization_id == current,
        }
        for m in _memberships(request, user)
    ]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_memberships": SimpleLazyObject(lambda: _memberships(request, user)),  # the home page's list
        "nav_switcher": SimpleLazyObject(lambda: _switcher(request, user)),
        "nav_links": SimpleLazyObject(lambda: _request_links(request)[MAIN]),
        "nav_more": SimpleLazyObject(lambda: _request_links(request)[MORE]),
        "nav_more_current": SimpleLazyObject(lambda: any(link["current"] for link in _request_links(request)[MORE])),
    }
