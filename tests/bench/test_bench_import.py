"""`make bench`: the CSV import at its limit (50,000 rows). Prints figures; asserts only correctness."""

import time
import tracemalloc
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from activities.models import ActivityEntry, Source
from activities.services.imports import MAX_ROWS, import_batch_check, import_batch_commit, import_batch_create

from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=False)

TYPES = ["outbound_calls", "prospect_emails", "social_contacts", "meetings", "Revenue"]


def build_file(org, rows: int) -> bytes:
    reps = [org.rep, *MembershipFactory.create_batch(49, organization=org.organization, role=Role.REP, team=org.team)]
    today = org.organization.local_today()
    lines = ["email;date;type;quantity;note;topic;contact;external_id"]
    for n in range(rows):
        kind = TYPES[n % len(TYPES)]
        quantity = f"{n % 900 + 100},50" if kind == "Revenue" else str(n % 40 + 1)
        lines.append(
            f"{reps[n % len(reps)].user.email};{today - timedelta(days=n % 60 + 1)};{kind};{quantity};"
            f"Call {n};pension;;dialer-{n}"
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def timed(function):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
    return result, elapsed, len(queries.captured_queries)


@pytest.mark.parametrize("rows", [1_000, MAX_ROWS])
def test_bench_import(client, org_a, rows):
    organization, manager = org_a.organization, org_a.manager
    content = build_file(org_a, rows)
    upload = SimpleUploadedFile("big.csv", content, content_type="text/csv")

    batch, upload_s, upload_q = timed(
        lambda: import_batch_create(organization=organization, actor=manager, upload=upload)
    )
    check, check_s, check_q = timed(lambda: import_batch_check(organization=organization, actor=manager, batch=batch))
    assert check.is_valid and check.new_count == rows, [r.errors for r in check.rows if r.errors][:3]
    del check
    tracemalloc.start()  # a second run for the memory it needs (tracing slows it down)
    import_batch_check(organization=organization, actor=manager, batch=batch)
    peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()

    client.force_login(manager.user)
    url = reverse("activities:import-detail", kwargs={"org_slug": org_a.slug, "batch_pk": batch.pk})
    response, page_s, page_q = timed(lambda: client.get(url))
    assert response.status_code == 200

    created, commit_s, commit_q = timed(
        lambda: import_batch_commit(organization=organization, actor=manager, batch=batch)
    )
    assert created == rows
    assert ActivityEntry.objects.filter(organization=organization, source=Source.IMPORT).count() == rows
    assert ActivityEntry.history.filter(source=Source.IMPORT).count() == rows

    print()
    print(f"bench import rows={rows:<6} file={len(content) / 1e6:5.2f} MB")
    print(f"bench import   upload (decode, parse, store)   {upload_s:6.2f} s  queries={upload_q}")
    print(f"bench import   check every row (preview)       {check_s:6.2f} s  queries={check_q}  peak={peak_mb:.0f} MB")
    print(f"bench import   preview page (check + page 1)   {page_s:6.2f} s  queries={page_q}")
    print(f"bench import   commit (check again + insert)   {commit_s:6.2f} s  queries={commit_q}")
