"""Tenancy: resolve the organization and the membership before any view code runs.

Every tenant URL is under /o/<org_slug>/. Anonymous visitors are sent to sign in; everyone who is not
an active member gets the same 404 as for an organization that does not exist. Views then declare the
least role they need (see `mixins.OrganizationMixin`).
"""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .roles import ROLES_2FA_CAN_BE_REQUIRED
from .selectors import memberships_for_request

ORG_URL_KWARG = "org_slug"


class TenancyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.membership = None
        request.user_memberships = None  # all the signed-in user's, once read (the organization switcher)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get(ORG_URL_KWARG)
        if slug is None:
            self._activate_language(request, organization=None)
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.user_memberships = memberships_for_request(user=request.user)
        membership = next((m for m in request.user_memberships if m.organization.slug == slug), None)
        if membership is None:
            raise Http404
        organization = membership.organization
        request.membership = membership
        request.organization = organization
        # Pages show times in the organization's zone, whatever the server's.
        timezone.activate(organization.zone)
        self._activate_language(request, organization=organization)
        if (
            organization.require_2fa
            and membership.role in ROLES_2FA_CAN_BE_REQUIRED
            and not is_mfa_enabled(request.user)
        ):
            messages.warning(
                request,
                _("%(organization)s requires two-factor authentication for your role. Set it up to continue.")
                % {"organization": organization.name},
            )
            return redirect("mfa_activate_totp")
        return None

    @staticmethod
    def _activate_language(request, *, organization):
        """The page's language: the signed-in user's own (User.language), else one picked on this browser (the
        language cookie), else the organization's; outside an organization LocaleMiddleware's choice (cookie,
        then the browser's Accept-Language) stands when the user has no language of their own."""
        language = request.user.language if request.user.is_authenticated else ""
        if not language:
            if organization is None or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
                return
            language = organization.language
        translation.activate(language)
        request.LANGUAGE_CODE = language
