"""`make bench`: how the busiest foundation pages scale. Prints figures; asserts nothing about time."""

import statistics
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from activities.models import ActivityEntry

from ..factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "accounts:organization-home",
    "accounts:member-list",
    "accounts:team-list",
    "accounts:invitation-list",
    "activities:today",
    "activities:entry-list",
]


def measure(client, url, runs=15):
    client.get(url)  # warm up templates and caches
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Count now: every request resets Django's query log.
    query_count = len(queries.captured_queries)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return query_count, statistics.median(timings), max(timings)


@pytest.mark.parametrize("reps", [10, 100, 500])
def test_bench_foundation_pages(client, org_a, reps):
    teams = [TeamFactory(organization=org_a.organization) for _ in range(max(1, reps // 25))]
    members = MembershipFactory.create_batch(reps, organization=org_a.organization, role=Role.REP, team=teams[0])
    # 30 days of activity, 8 entries a day, for every rep: the history table pages through all of it.
    today = org_a.organization.local_today()
    types = list(org_a.types.values())[:6]
    ActivityEntry.objects.bulk_create(
        ActivityEntry(organization=org_a.organization, rep=rep, activity_type=types[n % 6], quantity=1 + n % 5,
                      date=today - timedelta(days=day), entered_by=rep.user)
        for rep in members for day in range(30) for n in range(8)
    )  # fmt: skip
    client.force_login(org_a.owner.user)
    print()
    for name in PAGES:
        queries, median_ms, max_ms = measure(client, reverse(name, kwargs={"org_slug": org_a.slug}))
        print(
            f"bench {name:<32} reps={reps:<4} entries={len(members) * 240:<6} queries={queries:<3} "
            f"median={median_ms:6.1f} ms  max={max_ms:6.1f} ms"
        )
