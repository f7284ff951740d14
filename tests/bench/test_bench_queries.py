"""`make bench`: the largest number of queries of any page. Prints figures; asserts only that pages answer.

Every tenant URL (tests/tenant_urls.py: the same discovery as the isolation tests, so new pages are walked too)
is opened with GET in the demo organization — `seed_demo` (12 reps, 90 days of activity, plans, holidays,
leave) with its past periods closed (results, flags) — as its owner, a manager and a rep. URL ids are the demo's
own objects; an invitation, an import, an API token and a correction, which the demo has none of, are added.
"""

import logging
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.demo import DEMO_DOMAIN, DEMO_SLUG
from accounts.models import Invitation, Membership, Organization
from accounts.roles import Role
from activities.models import ActivityEntry, ActivityType, ApiToken, ImportBatch
from activities.services.tokens import api_token_create
from quotas.models import Correction, Flag, Holiday, Leave, QuotaPlan

from ..accounts.test_isolation import OBJECT_FOR_KWARG
from ..factories import ImportBatchFactory, InvitationFactory
from ..tenant_urls import tenant_routes

pytestmark = pytest.mark.django_db

VIEWERS = {"owner": "ingrid", "manager": "maria", "rep": "raj"}


def demo_objects() -> SimpleNamespace:
    """The demo organization in the shape OBJECT_FOR_KWARG reads (the isolation tests' `org`)."""
    organization = Organization.objects.get(slug=DEMO_SLUG)
    members = {
        name: Membership.objects.select_related("user").get(organization=organization, user__email=f"{first}@{DEMO_DOMAIN}")
        for name, first in VIEWERS.items()
    }  # fmt: skip
    rep = members["rep"]
    entry = ActivityEntry.objects.filter(organization=organization, rep=rep).latest("date", "pk")
    flag = Flag.objects.filter(organization=organization).order_by("pk").first()
    in_flag_period = ActivityEntry.objects.filter(
        organization=organization, rep=flag.rep, date__range=(flag.period.start, flag.period.end)
    ).first()
    return SimpleNamespace(
        organization=organization,
        slug=organization.slug,
        members=members,
        rep=rep,
        team=rep.team,
        entry=entry,
        types={t.default_key: t for t in ActivityType.objects.filter(organization=organization)},
        holiday=Holiday.objects.filter(organization=organization).first(),
        leave=Leave.objects.filter(organization=organization).first(),
        plan=QuotaPlan.objects.filter(organization=organization).first(),
        flag=flag,
        invitation=Invitation.objects.filter(organization=organization).first()
        or InvitationFactory(organization=organization, team=rep.team, email=f"invitee@{DEMO_DOMAIN}"),
        import_batch=ImportBatch.objects.filter(organization=organization).first()
        or ImportBatchFactory(uploaded_by=members["manager"]),
        token=ApiToken.objects.filter(organization=organization).first()
        or api_token_create(organization=organization, membership=rep, name="Dialer")[0],
        correction=Correction.objects.filter(organization=organization).first()
        or Correction.objects.create(
            organization=organization, period=flag.period, rep=flag.rep, entry=in_flag_period,
            activity_type=in_flag_period.activity_type, date=in_flag_period.date, quantity=4, reason="Missed one",
            requested_by=flag.rep.user,
        ),  # fmt: skip
    )


def test_bench_largest_query_count_of_any_page(client, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")  # the rep's 403s are expected, not news
    call_command("seed_demo", verbosity=0)
    call_command("close_periods", verbosity=0)
    demo = demo_objects()
    routes = [r for r in tenant_routes() if "get" in r.view_class.http_method_names and hasattr(r.view_class, "get")]
    counts = []  # (queries, viewer, url)
    for viewer, membership in demo.members.items():
        client.force_login(membership.user)
        for route in routes:
            kwargs = {"org_slug": demo.slug, **{k: OBJECT_FOR_KWARG[k](demo) for k in route.kwargs}}
            url = reverse(route.name, kwargs=kwargs)
            client.get(url)  # warm up
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code < 500, url
            if response.status_code == 200:
                counts.append((len(queries.captured_queries), viewer, url))
    counts.sort(reverse=True)
    reps = Membership.objects.filter(organization=demo.organization, role=Role.REP).count()
    print(f"\nbench queries  {len(routes)} GET pages × {len(VIEWERS)} viewers in the demo organization ({reps} reps, "
          f"{ActivityEntry.objects.filter(organization=demo.organization).count():,} entries); the most queries:")  # fmt: skip
    for queries, viewer, url in counts[:8]:
        print(f"  {queries:4} queries  {viewer:<8} {url}")
    queries, viewer, url = counts[0]
    print(f"bench queries  the largest query count of any page: {queries} ({url} as the {viewer})")
