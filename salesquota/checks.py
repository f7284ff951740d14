"""Deployment checks of our own, on top of Django's `check --deploy`.

They run with `manage.py check --deploy` (the release step runs it; see Procfile) and only when DEBUG is off:
development may do without HTTPS. Each failure is an Error, so a misconfigured production refuses to deploy
rather than serving without the protections the security review assumes.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

HSTS_MINIMUM_SECONDS = 60 * 60 * 24 * 365  # one year: the HSTS preload list's minimum


def _csp_directive(name: str) -> list[str]:
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    return list((policy.get("DIRECTIVES") or {}).get(name) or [])


@register(Tags.security, deploy=True)
def security_settings_check(app_configs, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    errors = []
    for directive, check_id in (("object-src", "salesquota.E001"), ("base-uri", "salesquota.E002")):
        if _csp_directive(directive) != ["'none'"]:
            errors.append(
                Error(
                    f"The Content-Security-Policy must set {directive} 'none'.",
                    hint=f"CONTENT_SECURITY_POLICY['DIRECTIVES']['{directive}'] = [csp.constants.NONE]",
                    id=check_id,
                )
            )
    if (getattr(settings, "SECURE_HSTS_SECONDS", 0) or 0) < HSTS_MINIMUM_SECONDS:
        errors.append(
            Error(
                "HTTP Strict Transport Security must last at least a year.",
                hint=f"SECURE_HSTS_SECONDS >= {HSTS_MINIMUM_SECONDS}",
                id="salesquota.E003",
            )
        )
    for setting, check_id in (("SESSION_COOKIE_SECURE", "salesquota.E004"), ("CSRF_COOKIE_SECURE", "salesquota.E005")):
        if not getattr(settings, setting, False):
            errors.append(Error(f"{setting} must be True: cookies go over HTTPS only.", id=check_id))
    return errors
