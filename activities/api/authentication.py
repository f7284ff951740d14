"""`Authorization: Bearer <token>`: the API's only authentication (no session cookie, hence no CSRF).

The token names the organization and the member: the request acts as that member, with the member's
current role, in that organization only. A token that is unknown or revoked, or whose member or user was
deactivated, gets 401 — all alike.
"""

from allauth.mfa.utils import is_mfa_enabled
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from accounts.roles import ROLES_2FA_CAN_BE_REQUIRED

from ..selectors import api_token_get_live
from ..services.tokens import TOKEN_PREFIX, api_token_touch, token_hash

KEYWORD = "Bearer"


class ApiTokenAuthentication(BaseAuthentication):
    invalid_message = _("The token is unknown, revoked, or its member is no longer active.")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None  # no credentials: the permission check answers 401
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the header as “Authorization: Bearer <token>”."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(self.invalid_message) from None
        token = api_token_get_live(token_hash=token_hash(secret)) if secret.startswith(TOKEN_PREFIX) else None
        if token is None:
            raise AuthenticationFailed(self.invalid_message)
        membership, organization = token.membership, token.organization
        if (
            organization.require_2fa
            and membership.role in ROLES_2FA_CAN_BE_REQUIRED
            and not is_mfa_enabled(membership.user)
        ):
            # The same rule as the web pages (accounts.middleware): the organization requires it for this role.
            raise AuthenticationFailed(_("This organization requires two-factor authentication for your role."))
        membership.organization = organization
        api_token_touch(token=token)
        # Like TenancyMiddleware for the pages: views read the tenant from the request, never from its data.
        request._request.organization = organization
        request._request.membership = membership
        return membership.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with this challenge) rather than 403 to a request without a valid token.
        return f'{KEYWORD} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the authentication in the OpenAPI schema (and enables "Authorize" in the docs page)."""

    target_class = ApiTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(header_name="Authorization", token_prefix=KEYWORD)
        scheme["description"] = (
            "A personal access token (`sq_…`), created on the API page of an organization. It acts as its "
            "member, with the member's role, in that organization only."
        )
        return scheme
