"""`{{ membership|landing_url }}`: where a member lands on choosing an organization (`/` and the switcher).

settings.ORGANIZATION_LANDING maps a role to the URL name of its landing page (reps their Today page, managers
the team dashboard…); a role without one lands on the organization's overview. URL names, not imports:
accounts does not depend on the apps that provide the pages.
"""

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()

DEFAULT_LANDING = "accounts:organization-home"


@register.filter
def landing_url(membership) -> str:
    name = getattr(settings, "ORGANIZATION_LANDING", {}).get(membership.role, DEFAULT_LANDING)
    return reverse(name, kwargs={"org_slug": membership.organization.slug})
