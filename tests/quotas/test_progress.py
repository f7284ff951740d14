"""Live progress: actual vs pro-rated target, pace status, topic lines, distinct contacts, points — set-based."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Membership
from accounts.roles import Role
from activities.models import ActivityEntry, ActivityType
from quotas.models import Holiday, Leave, LeaveStatus
from quotas.selectors.progress import Status, progress_for_reps
from quotas.services.plans import LineData, quota_plan_create

from ..factories import MembershipFactory
from .conftest import TODAY, WEEK_START

pytestmark = pytest.mark.usefixtures("frozen_now")
MONDAY, TUESDAY = WEEK_START, WEEK_START + timedelta(days=1)


def add(org, rep, type_key, quantity, day=MONDAY, **fields):
    return ActivityEntry.objects.create(
        organization=org.organization, rep=rep, activity_type=org.types[type_key], quantity=quantity, date=day,
        entered_by=rep.user, **fields,
    )  # fmt: skip


def progress(org, rep, kind="week"):
    (result,) = progress_for_reps(organization=org.organization, reps=[rep], kind=kind, day=TODAY)
    return result


def line(result, label_start):
    return next(p for p in result.lines if p.label.startswith(label_start))


@pytest.mark.parametrize(
    ("done", "status"),
    [
        (20, Status.ON_TRACK),  # Wednesday morning: 2 of 5 days done → 20 of 50 expected
        (17, Status.AT_RISK),  # 85 % of the pace
        (15, Status.BEHIND),  # 75 % of the pace
        (50, Status.MET),
        (60, Status.EXCEEDED),  # 120 %
    ],
)
def test_pace_status(org_a, make_plan, employed, done, status):
    make_plan(org_a, lines={"outbound_calls": 50})
    add(org_a, employed, "outbound_calls", done, day=MONDAY)
    calls = line(progress(org_a, employed), "Outbound calls")
    assert (calls.actual, calls.target.value, calls.expected, calls.status) == (done, 50, 20, status)
    assert calls.remaining == max(50 - done, 0)
    assert calls.attainment == round(Decimal(done) * 2)


def test_entries_of_other_reps_weeks_and_organizations_do_not_count(org_a, org_b, make_plan, employed):
    make_plan(org_a, lines={"outbound_calls": 50})
    add(org_a, employed, "outbound_calls", 5)
    add(org_a, employed, "outbound_calls", 7, day=MONDAY - timedelta(days=1))  # last week
    add(org_a, MembershipFactory(organization=org_a.organization, role=Role.REP), "outbound_calls", 9)
    add(org_b, org_b.rep, "outbound_calls", 11)
    assert line(progress(org_a, employed), "Outbound calls").actual == 5


def test_topic_line_counts_only_its_topic_and_distinct_contacts_count_people(org_a, make_plan, employed):
    make_plan(org_a, lines={"social_contacts": 10, ("social_contacts", "retirement planning"): 5})
    add(org_a, employed, "social_contacts", 3, topic="retirement planning")
    add(org_a, employed, "social_contacts", 4, topic="insurance review")
    result = progress(org_a, employed)
    assert line(result, "Social contacts tagged").actual == 3
    assert next(p for p in result.lines if p.label == "Social contacts").actual == 7


def test_distinct_contacts_count_the_same_person_once(org_a, make_plan, employed):
    quota_plan_create(
        organization=org_a.organization, actor=org_a.admin, name="People", period_kind="week", scope="organization",
        lines=[LineData(activity_type=org_a.types["social_contacts"], target=Decimal(50), distinct_contacts=True)],
    )  # fmt: skip
    add(org_a, employed, "social_contacts", 1, contact="Anna Berg")
    add(org_a, employed, "social_contacts", 1, contact=" anna berg ", day=TUESDAY)
    add(org_a, employed, "social_contacts", 1, contact="Olle Ek")
    add(org_a, employed, "social_contacts", 1)  # no contact: not a person
    assert line(progress(org_a, employed), "Social contacts (distinct").actual == 2


def test_points_target(org_a, make_plan, employed):
    make_plan(org_a, lines={"outbound_calls": 50}, points_target=Decimal(100))  # calls 1 point, meetings 5
    add(org_a, employed, "outbound_calls", 10)
    add(org_a, employed, "meetings", 2)
    add(org_a, employed, "revenue", 5000)  # no points
    points = progress(org_a, employed).points
    assert (points.actual, points.target.value) == (20, 100)


def test_holidays_leave_and_fte_pro_rate_the_target_with_an_explanation(org_a, make_plan, employed):
    make_plan(org_a, lines={"outbound_calls": 250})
    Holiday.objects.create(organization=org_a.organization, date=date(2026, 11, 27), name="Company day")
    Leave.objects.create(organization=org_a.organization, rep=employed, start=MONDAY, end=TUESDAY, status=LeaveStatus.APPROVED)
    Leave.objects.create(organization=org_a.organization, rep=employed, start=date(2026, 11, 26), end=date(2026, 11, 26),
                         status=LeaveStatus.REQUESTED)  # not approved: no effect  # fmt: skip
    Membership.objects.filter(pk=employed.pk).update(fte_percent=80)
    employed.refresh_from_db()
    calls = line(progress(org_a, employed), "Outbound calls")
    assert calls.target.value == 80  # 250 × 2/5 × 0.8
    assert calls.target.explanation == "250 → 80: 1 holiday, 2 days of leave, 80 % FTE"


def test_no_available_day_has_no_target_and_is_never_behind(org_a, make_plan, employed):
    make_plan(org_a, lines={"outbound_calls": 250})
    Leave.objects.create(organization=org_a.organization, rep=employed, start=MONDAY, end=MONDAY + timedelta(days=6),
                         status=LeaveStatus.APPROVED)  # fmt: skip
    calls = line(progress(org_a, employed), "Outbound calls")
    assert (calls.target.value, calls.status, calls.attainment) == (None, Status.NO_TARGET, None)


def test_plan_and_version_are_named(org_a, make_plan, employed):
    plan = make_plan(org_a, name="Weekly minimum", lines={"outbound_calls": 250})
    calls = line(progress(org_a, employed), "Outbound calls")
    assert (calls.version.plan, calls.version.number) == (plan, 1)


@pytest.mark.parametrize("size", [5, 50, 500])
def test_query_count_is_constant_in_the_number_of_reps(org_a, make_plan, size, django_assert_num_queries):
    make_plan(org_a, lines={"outbound_calls": 250, ("social_contacts", "pension"): 5}, points_target=Decimal(300))
    make_plan(org_a, scope="team", team=org_a.team, lines={"meetings": 4})
    make_plan(org_a, scope="probation", lines={"outbound_calls": 300})
    reps = MembershipFactory.create_batch(size, organization=org_a.organization, role=Role.REP, team=org_a.team)
    types = list(ActivityType.objects.filter(organization=org_a.organization))
    ActivityEntry.objects.bulk_create(
        ActivityEntry(organization=org_a.organization, rep=rep, activity_type=types[i % len(types)], quantity=1,
                      date=MONDAY, entered_by=rep.user, topic="pension" if i % 2 else "", contact=f"c{i}")
        for rep in reps for i in range(4)
    )  # fmt: skip
    Leave.objects.create(organization=org_a.organization, rep=reps[0], start=MONDAY, end=MONDAY, status=LeaveStatus.APPROVED)
    # Versions, their lines, settings, holidays with leave, entries, point weights: 6, for 5 or 500 reps.
    with django_assert_num_queries(6):
        result = progress_for_reps(organization=org_a.organization, reps=reps, kind="week", day=TODAY)
    assert len(result) == size
    assert all(len(r.lines) == 3 for r in result)
