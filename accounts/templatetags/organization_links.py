"""`{{ membership|landing_url }}`: where a member lands on choosing an organization (`/` and the switcher).

settings.ORGANIZATION_LANDING maps a role to the URL name of its landing page (reps their Today page, managers
the team dashboard…); a role without one lands on the organization's overview. URL names, not imports:
accounts does not depend on the apps that provide the pages.
"""

from django import template

from ..links import DEFAULT_LANDING, landing_url_for  # noqa: F401 - DEFAULT_LANDING: where it always was

register = template.Library()


@register.filter
def landing_url(membership) -> str:
    return landing_url_for(membership.role, membership.organization.slug)
