"""The lock on entries holds below the ORM: save(), update(), bulk, raw SQL and delete all fail."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from activities.apps import reinstall_entry_lock_trigger
from activities.models import ActivityEntry, EntryLock
from activities.services.entries import EntryData, EntryLockedError, entry_delete, entry_log, entry_update
from activities.services.locks import entries_lock, entries_unlock
from activities.triggers import entry_lock_trigger_installed

from ..factories import ActivityEntryFactory

DAY = date(2026, 11, 2)


@pytest.fixture
def locked_entry(org_a):
    org_a.rep.employment_start = None
    entry = ActivityEntryFactory(rep=org_a.rep, date=DAY, activity_type=org_a.types["outbound_calls"], quantity=3)
    entries_lock(organization=org_a.organization, start=DAY - timedelta(days=1), end=DAY + timedelta(days=5))
    return entry


def assert_refused(write):
    with pytest.raises(IntegrityError, match="activities_entry_locked"), transaction.atomic():
        write()


def test_orm_save_update_bulk_raw_and_delete_are_all_refused(org_a, locked_entry):
    locked_entry.quantity = 99
    assert_refused(locked_entry.save)
    assert_refused(lambda: ActivityEntry.objects.filter(pk=locked_entry.pk).update(quantity=42))
    assert_refused(lambda: ActivityEntry.objects.filter(pk=locked_entry.pk).delete())
    assert_refused(
        lambda: ActivityEntry.objects.bulk_create(
            [ActivityEntry(organization=org_a.organization, rep=org_a.rep, date=DAY, activity_type=locked_entry.activity_type, quantity=1)]
        )
    )

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE activities_activityentry SET quantity = 7 WHERE id = %s", [locked_entry.pk])

    assert_refused(raw_update)
    # Moving an entry out of the locked range is a change of a locked entry too.
    assert_refused(lambda: ActivityEntry.objects.filter(pk=locked_entry.pk).update(date=DAY - timedelta(days=30)))
    assert ActivityEntry.objects.get(pk=locked_entry.pk).quantity == 3


def test_moving_an_open_entry_into_a_locked_range_is_refused(org_a, locked_entry):
    open_entry = ActivityEntryFactory(rep=org_a.rep, date=DAY - timedelta(days=10), activity_type=locked_entry.activity_type)
    assert_refused(lambda: ActivityEntry.objects.filter(pk=open_entry.pk).update(date=DAY))


def test_lock_is_per_organization(org_a, org_b, locked_entry):
    other = ActivityEntryFactory(rep=org_b.rep, date=DAY, activity_type=org_b.types["outbound_calls"])
    ActivityEntry.objects.filter(pk=other.pk).update(quantity=5)
    assert ActivityEntry.objects.get(pk=other.pk).quantity == 5


def test_services_explain_a_locked_day(org_a, locked_entry):
    before = ActivityEntry.objects.filter(organization=org_a.organization).count()
    data = EntryData(activity_type=locked_entry.activity_type, date=DAY, quantity=1)
    with pytest.raises(EntryLockedError, match="closed period"):
        entry_log(organization=org_a.organization, actor=org_a.rep, rep=org_a.rep, data=data)
    with pytest.raises(EntryLockedError):
        entry_update(organization=org_a.organization, actor=org_a.rep, entry=locked_entry, data=data)
    with pytest.raises(EntryLockedError):
        entry_delete(organization=org_a.organization, actor=org_a.rep, entry=locked_entry)
    assert ActivityEntry.objects.filter(organization=org_a.organization).count() == before


def test_unlock_reopens_and_records_who_and_why(org_a, locked_entry):
    with pytest.raises(Exception, match="Say why"):
        entries_unlock(organization=org_a.organization, start=DAY, end=DAY, actor=org_a.admin.user, reason=" ")
    entries_unlock(organization=org_a.organization, start=DAY, end=DAY, actor=org_a.admin.user, reason="Late import")
    ActivityEntry.objects.filter(pk=locked_entry.pk).update(quantity=4)
    assert ActivityEntry.objects.get(pk=locked_entry.pk).quantity == 4
    row = EntryLock.objects.get(organization=org_a.organization)  # the lock row keeps who and why
    assert (row.unlocked_by, row.unlock_reason) == (org_a.admin.user, "Late import")


def test_the_trigger_comes_back_after_a_migration_rebuilds_the_table(db):
    """SQLite drops triggers when Django rebuilds a table for a field change; post_migrate reinstalls them."""
    assert entry_lock_trigger_installed(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for operation in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER activities_entry_reject_locked_{operation}")
        else:
            cursor.execute("DROP TRIGGER activities_entry_reject_locked ON activities_activityentry")
    assert not entry_lock_trigger_installed(connection)
    reinstall_entry_lock_trigger(using=connection.alias)
    assert entry_lock_trigger_installed(connection)
