"""Rate limit per token (settings: REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_token"]), counted in the cache."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiToken


class ApiTokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self):
        # Read on every request (DRF's default reads it once at import), so that a settings override applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return None  # the public schema and docs are not counted
        return f"api-throttle:{token.organization_id}:{token.pk}"
