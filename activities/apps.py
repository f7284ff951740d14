from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def reinstall_entry_lock_trigger(using, **kwargs):
    """SQLite loses a table's triggers when a migration rebuilds the table: put the lock trigger back."""
    from .triggers import install_entry_lock_trigger  # here: it imports models, not ready at app loading

    install_entry_lock_trigger(connections[using])


class ActivitiesConfig(AppConfig):
    """Activity types, entries, the rep's Today page, import/export and the lock on entries."""

    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        post_migrate.connect(reinstall_entry_lock_trigger, sender=self)
