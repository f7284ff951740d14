from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    """Activity types, entries, the rep's Today page, import/export and the lock on entries."""

    name = "activities"
    verbose_name = _("Activities")
