"""A database trigger that rejects every write to an entry whose date is in a locked range.

It sits below the ORM, so no code path — save(), update(), bulk_create(), raw SQL — can change the inputs
of a closed result. The error message starts with ENTRY_LOCKED_MARKER so services can translate it.
"""

from django.db import migrations

ENTRY_LOCKED_MARKER = "activities_entry_locked"

LOCKED = """EXISTS (
    SELECT 1 FROM activities_entrylock l
    WHERE l.organization_id = {row}.organization_id
      AND {row}.date BETWEEN l.start_date AND l.end_date
      AND l.unlocked_at IS NULL
)"""

POSTGRESQL_CREATE = f"""
CREATE OR REPLACE FUNCTION activities_entry_reject_locked() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND {LOCKED.format(row="OLD")} THEN
        RAISE EXCEPTION '{ENTRY_LOCKED_MARKER}: % is in a locked range', OLD.date
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {LOCKED.format(row="NEW")} THEN
        RAISE EXCEPTION '{ENTRY_LOCKED_MARKER}: % is in a locked range', NEW.date
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER activities_entry_reject_locked
BEFORE INSERT OR UPDATE OR DELETE ON activities_activityentry
FOR EACH ROW EXECUTE FUNCTION activities_entry_reject_locked();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS activities_entry_reject_locked ON activities_activityentry;
DROP FUNCTION IF EXISTS activities_entry_reject_locked();
"""

SQLITE_CREATE = [
    f"""CREATE TRIGGER activities_entry_reject_locked_insert BEFORE INSERT ON activities_activityentry
    WHEN {LOCKED.format(row="NEW")}
    BEGIN SELECT RAISE(ABORT, '{ENTRY_LOCKED_MARKER}'); END;""",
    f"""CREATE TRIGGER activities_entry_reject_locked_update BEFORE UPDATE ON activities_activityentry
    WHEN {LOCKED.format(row="OLD")} OR {LOCKED.format(row="NEW")}
    BEGIN SELECT RAISE(ABORT, '{ENTRY_LOCKED_MARKER}'); END;""",
    f"""CREATE TRIGGER activities_entry_reject_locked_delete BEFORE DELETE ON activities_activityentry
    WHEN {LOCKED.format(row="OLD")}
    BEGIN SELECT RAISE(ABORT, '{ENTRY_LOCKED_MARKER}'); END;""",
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS activities_entry_reject_locked_{operation};" for operation in ("insert", "update", "delete")
]


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE, params=None)  # None: the "%" in RAISE is not a placeholder
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"No entry-lock trigger for {vendor}: add one before using this database.")


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
