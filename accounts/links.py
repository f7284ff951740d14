"""Organization URLs that every page shows (the navigation, the switcher), reversed once per process.

`reverse()` walks the URL resolver each time; the navigation asks for the same ~25 URLs of the same organization on
every page. The result depends only on the URL configuration, the script prefix (the app's mount point), the URL
name and the organization's slug, so it is remembered under exactly those (a bounded cache: a long-lived process
serving many organizations keeps the most recent).
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

DEFAULT_LANDING = "accounts:organization-home"


@lru_cache(maxsize=8192)
def _organization_url(urlconf: str, prefix: str, url_name: str, slug: str) -> str:
    return reverse(url_name, urlconf=urlconf, kwargs={"org_slug": slug})


def organization_url(url_name: str, slug: str) -> str:
    """reverse(url_name, kwargs={"org_slug": slug}) for a URL whose only argument is the organization."""
    return _organization_url(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url_name, slug)


def landing_url_for(role: str, slug: str) -> str:
    """Where a member of this role lands in the organization (settings.ORGANIZATION_LANDING; else its overview)."""
    return organization_url(getattr(settings, "ORGANIZATION_LANDING", {}).get(role, DEFAULT_LANDING), slug)
