"""The database trigger that rejects every write to an entry whose date is in a locked range.

It sits below the ORM, so no code path — save(), update(), bulk_create(), raw SQL — can change the inputs
of a closed result. Its error message starts with ENTRY_LOCKED_MARKER so services can translate it.

Installed by migration 0002 and again after every `migrate` (see apps.py): SQLite drops a table's triggers
when a migration rebuilds the table, which Django does for most field changes.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

from .models import ENTRY_LOCKED_MARKER

LOCKED = """EXISTS (
    SELECT 1 FROM activities_entrylock l
    WHERE l.organization_id = {row}.organization_id
      AND {row}.date BETWEEN l.start_date AND l.end_date
      AND l.unlocked_at IS NULL
)"""

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION activities_entry_reject_locked() RETURNS trigger AS $$
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
$$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS activities_entry_reject_locked ON activities_activityentry",
    """CREATE TRIGGER activities_entry_reject_locked
BEFORE INSERT OR UPDATE OR DELETE ON activities_activityentry
FOR EACH ROW EXECUTE FUNCTION activities_entry_reject_locked()""",
]

SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS activities_entry_reject_locked_insert BEFORE INSERT ON activities_activityentry
    WHEN {LOCKED.format(row="NEW")}
    BEGIN SELECT RAISE(ABORT, '{ENTRY_LOCKED_MARKER}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS activities_entry_reject_locked_update BEFORE UPDATE ON activities_activityentry
    WHEN {LOCKED.format(row="OLD")} OR {LOCKED.format(row="NEW")}
    BEGIN SELECT RAISE(ABORT, '{ENTRY_LOCKED_MARKER}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS activities_entry_reject_locked_delete BEFORE DELETE ON activities_activityentry
    WHEN {LOCKED.format(row="OLD")}
    BEGIN SELECT RAISE(ABORT, '{ENTRY_LOCKED_MARKER}'); END""",
]


def install_entry_lock_trigger(connection: BaseDatabaseWrapper) -> None:
    """Create the trigger, or replace it when it exists (idempotent)."""
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(connection.vendor)
    if statements is None:
        raise NotImplementedError(f"No entry-lock trigger for {connection.vendor}: add one before using it.")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, None)  # no parameters: the "%" in RAISE is not a placeholder


def entry_lock_trigger_installed(connection: BaseDatabaseWrapper) -> bool:
    if connection.vendor == "postgresql":
        sql = "SELECT count(*) FROM pg_trigger WHERE tgname = 'activities_entry_reject_locked'"
        expected = 1
    else:
        sql = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'activities_entry_reject_locked%'"
        expected = 3
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0] == expected
