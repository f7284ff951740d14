"""django-allauth hooks."""

from allauth.account.adapter import DefaultAccountAdapter

from .links import landing_url_for
from .selectors import memberships_for_request


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open: anyone may create an account and then an organization (or accept an invitation)."""

    def is_open_for_signup(self, request):
        return True

    def get_login_redirect_url(self, request):
        """A member of exactly one organization goes straight to their page in it (Today for a rep, the dashboard
        for a manager…); anyone else chooses on `/`. A `next` address, when given, still wins (allauth asks it
        first)."""
        memberships = memberships_for_request(user=request.user)
        if len(memberships) == 1:
            return landing_url_for(memberships[0].role, memberships[0].organization.slug)
        return super().get_login_redirect_url(request)
