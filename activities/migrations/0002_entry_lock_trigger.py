"""Install the trigger that rejects writes to entries in locked date ranges (see activities/triggers.py)."""

from django.db import migrations

from activities.triggers import install_entry_lock_trigger

DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS activities_entry_reject_locked ON activities_activityentry",
        "DROP FUNCTION IF EXISTS activities_entry_reject_locked()",
    ],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS activities_entry_reject_locked_{operation}"
        for operation in ("insert", "update", "delete")
    ],
}


def create_trigger(apps, schema_editor):
    install_entry_lock_trigger(schema_editor.connection)


def drop_trigger(apps, schema_editor):
    for statement in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
