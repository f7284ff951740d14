"""GET /api/v1/results/: the closed periods' frozen results, as the token's member may read them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.roles import Role
from activities.models import ActivityEntry
from activities.services.locks import entries_unlock
from quotas.models import Period, QuotaPlanVersion
from quotas.services.close import period_close
from quotas.services.periods import periods_ensure

from ..activities.test_api import api_client
from ..factories import MembershipFactory, TeamFactory
from .conftest import WEEK_START

RESULTS = "/api/v1/results/"
LAST_WEEK = WEEK_START - timedelta(days=7)  # Mon 2026-11-16 … Sun 2026-11-22

pytestmark = pytest.mark.usefixtures("frozen_now")


def add(org, rep, type_key, quantity):
    ActivityEntry.objects.create(organization=org.organization, rep=rep, activity_type=org.types[type_key],
                                 quantity=quantity, date=LAST_WEEK, entered_by=rep.user)  # fmt: skip


def last_week(org, make_plan) -> Period:
    """A weekly plan (calls 50, meetings 4) for everyone that applied last week, and last week's period."""
    plan = make_plan(org, lines={"outbound_calls": 50, "meetings": 4}, kind="week")
    plan.versions.update(effective_from=LAST_WEEK)
    periods_ensure(organization=org.organization, start=LAST_WEEK, end=LAST_WEEK, kinds=["week"])
    return Period.objects.get(organization=org.organization, kind="week", start=LAST_WEEK)


def rep_lines(body) -> set[tuple]:
    return {(row["rep"], row["label"]) for row in body["results"]}


@pytest.fixture
def closed(org_a, org_b, make_plan, employed):
    """Last week closed in both organizations; org_a's rep 61 calls and 3 meetings, a rep of another team of
    org_a 20 calls."""
    other_team = TeamFactory(organization=org_a.organization, name="Outbound")
    olle = MembershipFactory(organization=org_a.organization, role=Role.REP, team=other_team,
                             user__email="olle@alpha.example")  # fmt: skip
    add(org_a, employed, "outbound_calls", 61)
    add(org_a, employed, "meetings", 3)
    add(org_a, olle, "outbound_calls", 20)
    period = last_week(org_a, make_plan)
    period_close(organization=org_a.organization, period=period)
    period_close(organization=org_b.organization, period=last_week(org_b, make_plan))
    return {"period": period, "olle": olle}


def test_a_result_says_what_was_asked_what_was_done_and_how_it_closed(org_a, closed):
    body = api_client(org_a.rep).get(RESULTS).json()
    calls = next(row for row in body["results"] if row["label"] == "Outbound calls")
    assert calls == {
        "id": calls["id"], "rep": org_a.rep.user.email, "rep_name": org_a.rep.user.display_name,
        "period_kind": "week", "period_start": "2026-11-16", "period_end": "2026-11-22",
        "label": "Outbound calls", "type": org_a.types["outbound_calls"].pk, "type_key": "outbound_calls",
        "topic": "", "target_full": 50.0, "target": 50.0, "explanation": calls["explanation"], "actual": 61.0,
        "attainment": 122, "status": "exceeded", "closed_at": calls["closed_at"],
    }  # fmt: skip
    assert body["count"] == 2  # calls and meetings; not olle's, not the other organization's


@pytest.mark.parametrize(("role", "sees_olle"), [(Role.MANAGER, False), (Role.HR, True), (Role.ADMIN, True)])
def test_who_reads_whose_results(org_a, closed, role, sees_olle):
    body = api_client(org_a.members[role]).get(RESULTS).json()
    reps = {row["rep"] for row in body["results"]}
    assert org_a.rep.user.email in reps and ("olle@alpha.example" in reps) is sees_olle
    assert not any(row["rep"].endswith("@beta.example") for row in body["results"])


def test_filters_narrow_and_bad_ones_are_refused(org_a, closed):
    admin = api_client(org_a.admin)
    assert rep_lines(admin.get(RESULTS, {"rep": "OLLE@alpha.example"}).json()) == {
        ("olle@alpha.example", "Outbound calls"), ("olle@alpha.example", "Meetings")
    }  # fmt: skip
    below = admin.get(RESULTS, {"status": "below_minimum"}).json()
    assert {row["status"] for row in below["results"]} == {"below_minimum"} and below["count"] == 3
    assert admin.get(RESULTS, {"kind": "month"}).json()["count"] == 0
    assert admin.get(RESULTS, {"date_from": "2026-11-23"}).json()["count"] == 0
    assert admin.get(RESULTS, {"date_from": "2026-11-20", "date_to": "2026-11-20"}).json()["count"] == 4
    refused = admin.get(RESULTS, {"date_from": "2026-11-22", "date_to": "2026-11-01"})
    assert refused.status_code == 400 and "The end date is before the start date." in refused.json()["date_to"]
    assert admin.get(RESULTS, {"status": "great"}).status_code == 400


def test_only_the_current_close_counts(org_a, closed, employed):
    entries_unlock(organization=org_a.organization, start=LAST_WEEK, end=LAST_WEEK, actor=org_a.admin.user,
                   reason="correction")  # fmt: skip
    add(org_a, employed, "meetings", 1)
    period_close(organization=org_a.organization, period=closed["period"], reclose=True, reason="correction")
    rows = api_client(org_a.rep).get(RESULTS).json()["results"]
    assert [(row["label"], row["actual"], row["status"]) for row in rows if row["label"] == "Meetings"] == [
        ("Meetings", 4.0, "met")
    ]


def test_no_token_is_401_and_the_query_count_does_not_grow_with_the_results(org_a, closed):
    assert APIClient().get(RESULTS).status_code == 401
    admin = api_client(org_a.admin)
    admin.get(RESULTS)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert admin.get(RESULTS).status_code == 200
    for _ in range(20):
        MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    # The week before, with the plan in force and 22 reps: 44 results more.
    week_before = LAST_WEEK - timedelta(days=7)
    QuotaPlanVersion.objects.filter(organization=org_a.organization).update(effective_from=week_before)
    periods_ensure(organization=org_a.organization, start=week_before, end=week_before, kinds=["week"])
    period_close(organization=org_a.organization,
                 period=Period.objects.get(organization=org_a.organization, kind="week", start=week_before))  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        assert admin.get(RESULTS).json()["count"] == 48
    assert len(many) == len(few) == 3  # token, count, page
