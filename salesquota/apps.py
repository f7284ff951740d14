from django.apps import AppConfig


class SalesQuotaConfig(AppConfig):
    """The project package as an app, for the project-wide system checks only (it has no models)."""

    name = "salesquota"
    verbose_name = "SalesQuota"

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks)
