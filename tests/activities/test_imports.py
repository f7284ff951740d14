"""CSV import of entries: the upload's checks, the preview of every row's fate, and the import — complete or
nothing, once, never twice the same external id."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from accounts.roles import Role
from activities.models import ActivityEntry, ImportBatch, Source
from activities.services import entries as entries_service
from activities.services import imports
from activities.services.imports import import_batch_commit
from activities.services.locks import LockedDates, entries_lock
from activities.services.types import activity_type_archive

from ..factories import MembershipFactory, TeamFactory

HEADER = "email,date,type,quantity,note,topic,contact,external_id"


@pytest.fixture
def day(org_a):
    """A day of an open period, three days ago in the organization's time zone."""
    return org_a.organization.local_today() - timedelta(days=3)


@pytest.fixture
def manager(client, org_a):
    client.force_login(org_a.manager.user)
    return org_a.manager


def create_url(org):
    return reverse("activities:import-create", kwargs={"org_slug": org.slug})


def batch_url(org, batch_pk, action="detail"):
    return reverse(f"activities:import-{action}", kwargs={"org_slug": org.slug, "batch_pk": batch_pk})


def upload(client, org, content, name="entries.csv"):
    data = content if isinstance(content, bytes) else content.encode()
    return client.post(create_url(org), {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def upload_ok(client, org, content):
    """Upload a file the upload step accepts; return its batch and the preview page's HTML."""
    response = upload(client, org, content)
    assert response.status_code == 302, response.content.decode()
    batch = ImportBatch.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
    preview = client.get(response.url)
    assert preview.status_code == 200
    return batch, preview.content.decode()


def imported(org):
    return ActivityEntry.objects.filter(organization=org.organization, source=Source.IMPORT)


def batches(org):
    return ImportBatch.objects.filter(organization=org.organization)


def rows(*lines, header=HEADER):
    return "\n".join([header, *lines]) + "\n"


# --- A good file ----------------------------------------------------------------------------------------------


def test_good_file_imports_completely_with_source_author_and_history(client, org_a, manager, day):
    content = rows(
        f"rep@alpha.example,{day},outbound_calls,25,,,,dialer-1",
        f'REP@alpha.example,{day},Revenue,"1 250,50",Order 1182,Retirement  Planning,Anna Berg,crm-1182',
        f"rep@alpha.example,{day},meetings,2,Lunch,,,",
    )
    batch, preview = upload_ok(client, org_a, content)
    assert preview.count("will be imported") >= 4  # the count's label and each row
    assert "Import 3 entries" in preview
    assert batch.row_count == 3 and batch.uploaded_by == org_a.manager

    response = client.post(batch_url(org_a, batch.pk, "commit"), follow=True)
    assert "Imported 3 entries." in response.content.decode()
    entries = {e.activity_type.default_key: e for e in imported(org_a).select_related("activity_type")}
    assert set(entries) == {"outbound_calls", "revenue", "meetings"}
    assert entries["outbound_calls"].quantity == Decimal("25")
    assert entries["revenue"].quantity == Decimal("1250.50")
    assert entries["meetings"].quantity == Decimal("2")
    revenue = entries["revenue"]
    assert (revenue.rep, revenue.date, revenue.note, revenue.topic, revenue.contact, revenue.external_id) == (
        org_a.rep,
        day,
        "Order 1182",
        "retirement planning",
        "Anna Berg",
        "crm-1182",
    )
    assert entries["meetings"].external_id is None
    for entry in entries.values():
        assert entry.source == Source.IMPORT and entry.entered_by == org_a.manager.user
        history = list(entry.history.all())
        assert [(h.history_type, h.history_user, h.source) for h in history] == [("+", org_a.manager.user, "import")]
    batch.refresh_from_db()
    assert batch.committed_at is not None and batch.entry_count == 3 and batch.content == ""
    assert "3 entries created" in response.content.decode()


@pytest.mark.parametrize(
    ("separator", "bom", "newline"),
    [(",", False, "\n"), (";", False, "\r\n"), (";", True, "\r\n"), (",", True, "\n")],
    ids=["comma", "semicolon-crlf", "semicolon-bom", "comma-bom"],
)
def test_separators_bom_and_swedish_decimal_comma(client, org_a, manager, day, separator, bom, newline):
    amount = '"1 250,50"' if separator == "," else "1\u00a0250,50"  # quoted, or a non-breaking space as Excel writes
    lines = [
        separator.join(["Quantity", "EMAIL", "Date", "Type", "External_ID"]),  # any order, any case, columns optional
        separator.join([amount, "rep@alpha.example", str(day), "REVENUE", "x-1"]),
        separator.join(["7", "rep@alpha.example", str(day), "Outbound calls", "x-2"]),
        "",  # blank lines are ignored
    ]
    content = ("\ufeff" if bom else "") + newline.join(lines) + newline
    batch, preview = upload_ok(client, org_a, content.encode("utf-8"))
    assert "Import 2 entries" in preview
    assert "\ufeff" not in batch.content
    client.post(batch_url(org_a, batch.pk, "commit"))
    assert sorted(imported(org_a).values_list("external_id", "quantity")) == [
        ("x-1", Decimal("1250.50")),
        ("x-2", Decimal("7")),
    ]


def test_type_by_name_in_any_case_or_by_default_key_even_after_renaming(client, org_a, manager, day):
    calls = org_a.types["outbound_calls"]
    calls.name = "Samtal"
    calls.save(update_fields=["name"])
    batch, preview = upload_ok(
        client, org_a, rows(f"rep@alpha.example,{day},SAMTAL,1,,,,a", f"rep@alpha.example,{day},outbound_calls,2,,,,b")
    )
    assert "Import 2 entries" in preview
    client.post(batch_url(org_a, batch.pk, "commit"))
    assert set(imported(org_a).values_list("activity_type", flat=True)) == {calls.pk}


# --- The upload's checks: clear message, nothing stored ------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("café;2025-01-01".encode("latin-1"), "not UTF-8"),
        ("email,date,type,quantity\n".encode("utf-16"), "not UTF-8"),
        (b"", "file is empty"),  # Django's own check of an empty upload
        (b"\n\n", "The file is empty"),
        (HEADER.encode() + b"\n", "no rows to import"),
        (b"email,date,type\nrep@alpha.example,2025-01-01,Demos\n", "Missing columns: quantity"),
        (b"email,date,type,quantity,amount\nx,2025-01-01,Demos,1,2\n", "Unknown columns: amount"),
        (b"rep@alpha.example,2025-01-01,Demos,1\n", "Unknown columns"),  # no header line
        (b"email,date,type,quantity,email\nx,2025-01-01,Demos,1,y\n", "more than once: email"),
        (b'email,date,type,quantity\n"x,2025-01-01,Demos,1\n', "cannot be read as CSV"),
    ],
    ids=["latin-1", "utf-16", "empty", "blank", "header-only", "missing", "unknown", "no-header", "repeated", "quotes"],
)
def test_a_bad_file_is_refused_at_upload_with_a_clear_message(client, org_a, manager, content, message):
    response = upload(client, org_a, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not batches(org_a).exclude(pk=org_a.import_batch.pk).exists()


def test_size_limit(client, org_a, manager, day, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 200)
    content = rows(*[f"rep@alpha.example,{day},demos,1,,,,id-{n}" for n in range(10)])
    assert len(content) > 200
    response = upload(client, org_a, content)
    assert "at most 200" in response.content.decode()
    assert not batches(org_a).exclude(pk=org_a.import_batch.pk).exists()


def test_row_limit(client, org_a, manager, day, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    response = upload(client, org_a, rows(*[f"rep@alpha.example,{day},demos,1,,,,id-{n}" for n in range(4)]))
    assert "The file has 4 rows; at most 3 can be imported at once" in response.content.decode()
    assert not batches(org_a).exclude(pk=org_a.import_batch.pk).exists()
    upload_ok(client, org_a, rows(*[f"rep@alpha.example,{day},demos,1,,,,id-{n}" for n in range(3)]))


# --- Bad rows: each has its message, the whole file is refused ----------------------------------------------


def _bad_row_cases(org, day):
    today = org.organization.local_today()
    return {
        "unknown rep": (f"nobody@alpha.example,{day},demos,1,,,,", "unknown sales rep “nobody@alpha.example”"),
        "missing rep": (f",{day},demos,1,,,,", "email: missing."),
        "unknown type": (f"rep@alpha.example,{day},Cold calls,1,,,,", "unknown activity type “Cold calls”"),
        "not a date": (f"rep@alpha.example,{day:%d/%m/%Y},demos,1,,,,", "is not a date written YYYY-MM-DD"),
        "impossible date": ("rep@alpha.example,2025-02-30,demos,1,,,,", "“2025-02-30” is not a date"),
        "future date": (f"rep@alpha.example,{today + timedelta(days=1)},demos,1,,,,", "future day"),
        "zero": (f"rep@alpha.example,{day},demos,0,,,,", "quantity: Enter a whole number from 1 to 10,000."),
        "too many": (f"rep@alpha.example,{day},demos,10001,,,,", "quantity: Enter a whole number from 1 to 10,000."),
        "fraction of a count": (f"rep@alpha.example,{day},demos,\"2,5\",,,,", "quantity: Enter a whole number."),
        "not a number": (f"rep@alpha.example,{day},demos,many,,,,", "quantity: Enter a number."),
        "negative money": (f"rep@alpha.example,{day},revenue,-5,,,,", "quantity: Enter an amount above 0"),
        "three decimals": (f"rep@alpha.example,{day},revenue,\"12,345\",,,,", "quantity: Use at most 2 decimals."),
        "note too long": (f"rep@alpha.example,{day},demos,1,{'n' * 1001},,,", "note: Ensure this value has at most"),
        "topic too long": (f"rep@alpha.example,{day},demos,1,,{'t' * 81},,", "topic: Ensure this value has at most 80"),
        "contact too long": (f"rep@alpha.example,{day},demos,1,,,{'c' * 256},", "contact: Ensure this value has"),
        "id too long": (f"rep@alpha.example,{day},demos,1,,,,{'i' * 101}", "external_id: Ensure this value has"),
        "values missing": (f"rep@alpha.example,{day},demos,1", "The line has 4 values; the header has 8 columns."),
    }


BAD_ROWS = [
    "unknown rep",
    "missing rep",
    "unknown type",
    "not a date",
    "impossible date",
    "future date",
    "zero",
    "too many",
    "fraction of a count",
    "not a number",
    "negative money",
    "three decimals",
    "note too long",
    "topic too long",
    "contact too long",
    "id too long",
    "values missing",
]


def assert_file_refused(client, org, content, message, line=3):
    """The preview shows the row's message and no import button; committing anyway writes nothing."""
    before = ActivityEntry.objects.count()
    batch, preview = upload_ok(client, org, content)
    assert message in preview, preview
    assert f'<td class="num">{line}</td>' in preview
    assert "rows have errors" in preview or "row has errors" in preview
    assert "import-commit" not in preview and "/commit/" not in preview
    response = client.post(batch_url(org, batch.pk, "commit"), follow=True)
    assert "nothing was imported" in response.content.decode()
    assert ActivityEntry.objects.count() == before
    batch.refresh_from_db()
    assert batch.committed_at is None and batch.entry_count is None


@pytest.mark.parametrize("case", BAD_ROWS)
def test_each_bad_row_gives_its_message_and_nothing_is_written(client, org_a, manager, day, case):
    bad_row, message = _bad_row_cases(org_a, day)[case]
    content = rows(f"rep@alpha.example,{day},demos,1,,,,good-1", bad_row, f"rep@alpha.example,{day},demos,1,,,,good-2")
    assert_file_refused(client, org_a, content, message)


def test_archived_type_is_refused(client, org_a, manager, day):
    activity_type_archive(organization=org_a.organization, activity_type=org_a.types["demos"])
    content = rows(f"rep@alpha.example,{day},meetings,1,,,,", f"rep@alpha.example,{day},Demos,1,,,,")
    assert_file_refused(client, org_a, content, "type: “Demos” is archived.")


def test_date_before_employment_start_is_refused(client, org_a, manager, day):
    Membership.objects.filter(pk=org_a.rep.pk).update(employment_start=day)
    content = rows(f"rep@alpha.example,{day},demos,1,,,,", f"rep@alpha.example,{day - timedelta(days=1)},demos,1,,,,")
    assert_file_refused(client, org_a, content, "is before the employment start")


def test_closed_period_is_refused(client, org_a, manager, day):
    entries_lock(organization=org_a.organization, start=day - timedelta(days=10), end=day - timedelta(days=1))
    content = rows(f"rep@alpha.example,{day},demos,1,,,,", f"rep@alpha.example,{day - timedelta(days=5)},demos,1,,,,")
    assert_file_refused(client, org_a, content, "is in a closed period")


def test_duplicate_external_id_in_the_file_is_refused(client, org_a, manager, day):
    content = rows(f"rep@alpha.example,{day},demos,1,,,,crm-7", f"rep@alpha.example,{day},meetings,1,,,,crm-7")
    assert_file_refused(client, org_a, content, "external_id “crm-7” is also on line 2")


def test_a_row_lists_all_its_errors_at_once(client, org_a, manager, day):
    today = org_a.organization.local_today()
    future = today + timedelta(days=2)
    content = rows(
        f"rep@alpha.example,{day},demos,1,,,,",
        f"ghost@alpha.example,{future},Nope,0,{'n' * 1001},,,",
        "rep@alpha.example,,revenue,0,,,,",
    )
    batch, preview = upload_ok(client, org_a, content)
    assert "unknown sales rep" in preview and "unknown activity type" in preview and "note: Ensure" in preview
    assert "date: missing." in preview and "quantity: Enter an amount above 0" in preview
    assert "2 rows have errors" in preview


def test_rep_of_another_organization_or_of_a_team_the_manager_does_not_lead_is_unknown(
    client, org_a, org_b, manager, day
):
    other_team = TeamFactory(organization=org_a.organization)
    MembershipFactory(organization=org_a.organization, role=Role.REP, team=other_team, user__email="far@alpha.example")
    MembershipFactory(
        organization=org_a.organization, role=Role.REP, team=org_a.team, is_active=False, user__email="gone@alpha.ex"
    )
    for email in ("rep@beta.example", "far@alpha.example", "gone@alpha.ex", "manager@alpha.example"):
        content = rows(f"rep@alpha.example,{day},demos,1,,,,", f"{email},{day},demos,1,,,,")
        assert_file_refused(client, org_a, content, f"unknown sales rep “{email}”")
    assert not ActivityEntry.objects.filter(organization=org_b.organization, source=Source.IMPORT).exists()

    # An admin may log for every rep of the organization, so the rep of the other team is known to them.
    client.force_login(org_a.admin.user)
    batch, preview = upload_ok(client, org_a, rows(f"far@alpha.example,{day},demos,1,,,,"))
    assert "Import 1 entry" in preview


# --- Importing twice -----------------------------------------------------------------------------------------


def test_reimporting_the_same_file_creates_nothing_twice(client, org_a, manager, day):
    content = rows(f"rep@alpha.example,{day},demos,1,,,,crm-1", f"rep@alpha.example,{day},meetings,2,,,,crm-2")
    first, _ = upload_ok(client, org_a, content)
    client.post(batch_url(org_a, first.pk, "commit"))
    assert imported(org_a).count() == 2

    second, preview = upload_ok(client, org_a, content)
    assert preview.count("already imported — skipped") == 3  # the count's label and both rows
    assert "nothing new to import" in preview and "/commit/" not in preview
    response = client.post(batch_url(org_a, second.pk, "commit"), follow=True)
    assert "nothing new to import" in response.content.decode()
    assert imported(org_a).count() == 2

    # A file that grew by a row (even when the old rows' period has closed since) imports only the new row.
    entries_lock(organization=org_a.organization, start=day, end=day)
    today = org_a.organization.local_today()
    third, preview = upload_ok(client, org_a, content + f"rep@alpha.example,{today},demos,3,,,,crm-3\n")
    assert "Import 1 entry" in preview
    client.post(batch_url(org_a, third.pk, "commit"))
    assert sorted(imported(org_a).values_list("external_id", flat=True)) == ["crm-1", "crm-2", "crm-3"]


def test_external_ids_of_another_organization_do_not_count(client, org_a, org_b, manager, day):
    ActivityEntry.objects.filter(pk=org_b.entry.pk).update(external_id="crm-1")
    batch, preview = upload_ok(client, org_a, rows(f"rep@alpha.example,{day},demos,1,,,,crm-1"))
    assert "Import 1 entry" in preview
    client.post(batch_url(org_a, batch.pk, "commit"))
    assert imported(org_a).get().external_id == "crm-1"


def test_a_batch_commits_only_once(client, org_a, manager, day):
    batch, _ = upload_ok(client, org_a, rows(f"rep@alpha.example,{day},demos,1,,,,"))  # no external id
    client.post(batch_url(org_a, batch.pk, "commit"))
    response = client.post(batch_url(org_a, batch.pk, "commit"), follow=True)
    assert "This file was already imported" in response.content.decode()
    assert imported(org_a).count() == 1
    with pytest.raises(ValidationError, match="already imported"):
        import_batch_commit(organization=org_a.organization, actor=org_a.manager, batch=batch)
    assert imported(org_a).count() == 1


def test_the_lock_trigger_still_guards_the_insert_and_nothing_is_half_imported(
    client, org_a, manager, day, monkeypatch
):
    """A period closing between the check and the insert: the trigger refuses, the transaction rolls back."""
    content = rows(*[f"rep@alpha.example,{day - timedelta(days=n)},demos,1,,,,id-{n}" for n in range(5)])
    batch, _ = upload_ok(client, org_a, content)
    entries_lock(organization=org_a.organization, start=day - timedelta(days=2), end=day - timedelta(days=2))
    never_locked = lambda **kwargs: LockedDates([])  # noqa: E731 — the checks miss the lock, as in a race
    monkeypatch.setattr(imports, "locked_dates", never_locked)
    monkeypatch.setattr(entries_service, "locked_dates", never_locked)
    response = client.post(batch_url(org_a, batch.pk, "commit"), follow=True)
    assert "A period closed while these entries were being logged" in response.content.decode()
    assert not imported(org_a).exists()
    assert not ActivityEntry.history.filter(source=Source.IMPORT).exists()
    batch.refresh_from_db()
    assert batch.committed_at is None and batch.content


# --- Who may import, and which batch --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REP, Role.HR])
def test_reps_and_hr_get_403(client, org_a, role, day):
    client.force_login(org_a.members[role].user)
    batch = org_a.import_batch
    assert client.get(create_url(org_a)).status_code == 403
    assert upload(client, org_a, rows(f"rep@alpha.example,{day},demos,1,,,,")).status_code == 403
    assert client.get(batch_url(org_a, batch.pk)).status_code == 403
    assert client.post(batch_url(org_a, batch.pk, "commit")).status_code == 403
    assert batches(org_a).count() == 1 and not imported(org_a).exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN, Role.OWNER])
def test_managers_and_admins_open_the_import_page_and_see_it_in_the_navigation(client, org_a, role):
    client.force_login(org_a.members[role].user)
    page = client.get(create_url(org_a)).content.decode()
    assert "Import entries" in page and 'enctype="multipart/form-data"' in page
    assert f'href="{create_url(org_a)}"' in page
    assert "outbound_calls" in page  # the types one can import, with their keys


def test_the_rep_has_no_import_in_the_navigation(client, org_a):
    client.force_login(org_a.rep.user)
    page = client.get(reverse("activities:today", kwargs={"org_slug": org_a.slug})).content.decode()
    assert create_url(org_a) not in page


def test_another_organizations_batch_is_404_and_untouched(client, org_a, org_b, manager):
    foreign = org_b.import_batch
    assert client.get(batch_url(org_a, foreign.pk)).status_code == 404
    assert client.post(batch_url(org_a, foreign.pk, "commit")).status_code == 404
    assert client.get(batch_url(org_b, foreign.pk)).status_code == 404  # not a member of org_b
    foreign.refresh_from_db()
    assert foreign.committed_at is None


def test_a_batch_is_seen_only_by_whoever_uploaded_it(client, org_a, day):
    client.force_login(org_a.manager.user)
    batch, _ = upload_ok(client, org_a, rows(f"rep@alpha.example,{day},demos,1,,,,"))
    client.force_login(org_a.owner.user)
    assert client.get(batch_url(org_a, batch.pk)).status_code == 404
    assert client.post(batch_url(org_a, batch.pk, "commit")).status_code == 404
    assert not imported(org_a).exists()


def test_locked_dates_merge_overlapping_and_adjacent_ranges(day):
    d = lambda n: day + timedelta(days=n)  # noqa: E731
    locked = LockedDates([(d(10), d(12)), (d(0), d(3)), (d(2), d(5)), (d(6), d(6)), (d(20), d(20))])
    inside = [n for n in range(-2, 25) if d(n) in locked]
    assert inside == [0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 20]
    assert d(0) not in LockedDates([])


# --- Scale --------------------------------------------------------------------------------------------------


def _big_file(org, day, count, prefix):
    reps = [org.rep] + MembershipFactory.create_batch(4, organization=org.organization, role=Role.REP, team=org.team)
    types = ["outbound_calls", "prospect_emails", "meetings", "revenue"]
    lines = [
        f"{reps[n % len(reps)].user.email},{day - timedelta(days=n % 20)},{types[n % 4]},{n % 50 + 1},"
        f"note {n},topic,,{prefix}-{n}"
        for n in range(count)
    ]
    return rows(*lines)


def test_preview_query_count_does_not_grow_with_rows(client, org_a, manager, day):
    entries_lock(organization=org_a.organization, start=day - timedelta(days=90), end=day - timedelta(days=60))
    counts = {}
    for size in (10, 1_000):
        batch, _ = upload_ok(client, org_a, _big_file(org_a, day, size, f"s{size}"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(batch_url(org_a, batch.pk))
        assert response.status_code == 200
        assert f"Import {size:,} entries" in response.content.decode()
        counts[size] = len(queries.captured_queries)
    assert counts[10] == counts[1_000], counts
