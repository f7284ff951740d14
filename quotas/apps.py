from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotasConfig(AppConfig):
    """Quota plans, periods, calendars, progress, the nightly close, flags and probation reviews."""

    name = "quotas"
    verbose_name = _("Quotas")
