"""`make bench`: how the busiest foundation pages scale. Prints figures; asserts nothing about time."""

import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role

from ..factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db

PAGES = ["accounts:organization-home", "accounts:member-list", "accounts:team-list", "accounts:invitation-list"]


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
    MembershipFactory.create_batch(reps, organization=org_a.organization, role=Role.REP, team=teams[0])
    client.force_login(org_a.owner.user)
    print()
    for name in PAGES:
        queries, median_ms, max_ms = measure(client, reverse(name, kwargs={"org_slug": org_a.slug}))
        print(f"bench {name:<32} reps={reps:<4} queries={queries:<3} median={median_ms:6.1f} ms  max={max_ms:6.1f} ms")
