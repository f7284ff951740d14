"""django-allauth hooks."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open: anyone may create an account and then an organization (or accept an invitation)."""

    def is_open_for_signup(self, request):
        return True
