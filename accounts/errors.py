"""Turning a service's refusal into sentences for the user."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def error_messages(error: ValidationError | PermissionDenied) -> list[str]:
    """The user-facing sentences of a ValidationError or PermissionDenied raised by a service."""
    return getattr(error, "messages", None) or [str(error) or _("You cannot do that.")]
