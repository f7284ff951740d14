"""Links to the quotas pages of an organization, with an optional query string and #anchor (redirects land
on the row that changed)."""

from django.urls import reverse
from django.utils.http import urlencode


def organization_url(name: str, organization, *, query: dict | None = None, anchor: str = "", **kwargs) -> str:
    url = reverse(name, kwargs={"org_slug": organization.slug, **kwargs})
    if query:
        url += "?" + urlencode(query)
    return url + (f"#{anchor}" if anchor else "")
