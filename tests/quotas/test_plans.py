"""Which plan wins, versions that never rewrite the past, and who may edit what."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Membership
from accounts.roles import Role
from quotas.models import QuotaLine, QuotaPlan, QuotaPlanVersion
from quotas.selectors.plans import lines_for_rep, versions_in_force
from quotas.services.plans import LineData, quota_plan_archive, quota_plan_create, quota_plan_publish

from ..factories import MembershipFactory, TeamFactory
from .conftest import TODAY, WEEK_START

pytestmark = pytest.mark.usefixtures("frozen_now")
WEEK_END = WEEK_START + timedelta(days=6)


def targets(org, rep, *, kind="week", start=WEEK_START, end=WEEK_END):
    versions = versions_in_force(organization=org.organization, kind=kind, period_start=start)
    return {
        (a.line.activity_type.default_key, a.line.topic): (a.line.target, a.plan.scope)
        for a in lines_for_rep(rep=rep, versions=versions, start=start, end=end)
    }


def test_most_specific_plan_wins_per_activity_type(org_a, make_plan, employed):
    make_plan(org_a, lines={"outbound_calls": 100, "prospect_emails": 50})
    make_plan(org_a, scope="team", team=org_a.team, lines={"outbound_calls": 80})
    make_plan(org_a, scope="rep", rep=employed, lines={"outbound_calls": 60})
    assert targets(org_a, employed) == {
        ("outbound_calls", ""): (60, "rep"),
        ("prospect_emails", ""): (50, "organization"),
    }
    other = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    assert targets(org_a, other)[("outbound_calls", "")] == (80, "team")


def test_probation_plan_replaces_regular_lines_only_while_probation_overlaps(org_a, make_plan, employed):
    make_plan(org_a, scope="team", team=org_a.team, lines={"outbound_calls": 80, "meetings": 4})
    make_plan(org_a, scope="probation", lines={"outbound_calls": 250})
    assert targets(org_a, employed)[("outbound_calls", "")] == (80, "team")  # no probation
    Membership.objects.filter(pk=employed.pk).update(employment_start=date(2026, 10, 1), probation_end=WEEK_START)
    employed.refresh_from_db()
    assert targets(org_a, employed) == {("outbound_calls", ""): (250, "probation"), ("meetings", ""): (4, "team")}
    # The week after the probation ended: the regular plan again.
    next_week = WEEK_START + timedelta(days=7)
    assert targets(org_a, employed, start=next_week, end=next_week + timedelta(days=6))[("outbound_calls", "")][1] == "team"


def test_a_teams_probation_plan_wins_over_the_organizations_whatever_was_published_last(org_a, make_plan, employed):
    Membership.objects.filter(pk=employed.pk).update(employment_start=date(2026, 10, 1), probation_end=WEEK_END)
    employed.refresh_from_db()
    make_plan(org_a, scope="probation", team=org_a.team, actor=org_a.manager, lines={"outbound_calls": 100})
    everyone = make_plan(org_a, scope="probation", name="Everyone's", lines={"outbound_calls": 300})
    # The organization's plan gets a newer version than the team's (the newer version would win between equals).
    everyone.versions.update(effective_from=WEEK_START)
    assert targets(org_a, employed)[("outbound_calls", "")] == (100, "probation")
    other_team = TeamFactory(organization=org_a.organization, name="Outbound")
    theirs = MembershipFactory(organization=org_a.organization, role=Role.REP, team=other_team,
                               employment_start=date(2026, 10, 1), probation_end=WEEK_END)  # fmt: skip
    assert targets(org_a, theirs)[("outbound_calls", "")] == (300, "probation")  # not the other team's plan


def test_plans_of_different_period_kinds_do_not_compete(org_a, make_plan, employed):
    make_plan(org_a, kind="month", lines={"outbound_calls": 1000})
    make_plan(org_a, scope="rep", rep=employed, lines={"outbound_calls": 60})
    month = targets(org_a, employed, kind="month", start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert month == {("outbound_calls", ""): (1000, "organization")}


def test_a_topic_line_and_a_plain_line_of_the_same_type_come_from_the_same_plan(org_a, make_plan, employed):
    make_plan(org_a, scope="team", team=org_a.team, lines={"social_contacts": 100, ("social_contacts", "retirement planning"): 50})
    assert set(targets(org_a, employed)) == {("social_contacts", ""), ("social_contacts", "retirement planning")}


def test_publishing_starts_next_period_and_never_rewrites_the_current_one(org_a, make_plan, employed):
    plan = make_plan(org_a, scope="team", team=org_a.team, lines={"outbound_calls": 80})
    version = quota_plan_publish(
        organization=org_a.organization, actor=org_a.manager, plan=plan,
        lines=[LineData(activity_type=org_a.types["outbound_calls"], target=Decimal(120))],
    )  # fmt: skip
    assert (version.number, version.effective_from) == (2, WEEK_START + timedelta(days=7))
    assert targets(org_a, employed)[("outbound_calls", "")][0] == 80
    next_week = WEEK_START + timedelta(days=7)
    assert targets(org_a, employed, start=next_week, end=next_week + timedelta(days=6))[("outbound_calls", "")][0] == 120
    assert list(QuotaLine.objects.filter(version__number=1, version__plan=plan).values_list("target", flat=True)) == [80]


@pytest.mark.parametrize(
    ("effective_from", "message"),
    [
        (WEEK_START, "at the earliest"),  # the current period
        (WEEK_START - timedelta(days=7), "at the earliest"),  # a past period
        (WEEK_START + timedelta(days=8), "starts with a period"),  # a Tuesday
    ],
)
def test_a_version_cannot_start_in_the_past_or_mid_period(org_a, make_plan, effective_from, message):
    plan = make_plan(org_a, lines={"outbound_calls": 80})
    with pytest.raises(ValidationError, match=message):
        quota_plan_publish(
            organization=org_a.organization, actor=org_a.admin, plan=plan, effective_from=effective_from,
            lines=[LineData(activity_type=org_a.types["outbound_calls"], target=Decimal(1))],
        )  # fmt: skip
    assert plan.versions.count() == 1


def test_two_versions_cannot_start_on_the_same_day(org_a, make_plan):
    plan = make_plan(org_a, lines={"outbound_calls": 80})
    lines = [LineData(activity_type=org_a.types["outbound_calls"], target=Decimal(90))]
    quota_plan_publish(organization=org_a.organization, actor=org_a.admin, plan=plan, lines=lines)
    with pytest.raises(ValidationError, match="already starts on that date"):
        quota_plan_publish(organization=org_a.organization, actor=org_a.admin, plan=plan, lines=lines)
    assert plan.versions.count() == 2


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ({"outbound_calls": 0}, "above 0"),
        ({"outbound_calls": -5}, "above 0"),
        ({"outbound_calls": "2.5"}, "whole target"),
        ({}, "at least one line"),
    ],
)
def test_bad_targets_are_refused_and_nothing_is_saved(org_a, make_plan, lines, message):
    with pytest.raises(ValidationError, match=message):
        make_plan(org_a, lines=lines)
    assert not QuotaPlan.objects.filter(organization=org_a.organization).exists()
    assert not QuotaPlanVersion.objects.filter(organization=org_a.organization).exists()


def test_a_plan_for_another_organizations_team_or_type_is_refused(org_a, org_b, make_plan):
    with pytest.raises(ValidationError, match="team does not exist"):
        make_plan(org_a, scope="team", team=org_b.team, lines={"outbound_calls": 10})
    with pytest.raises(ValidationError, match="activity type does not exist"):
        quota_plan_create(
            organization=org_a.organization, actor=org_a.admin, name="Foreign type", period_kind="week",
            scope="organization", lines=[LineData(activity_type=org_b.types["outbound_calls"], target=Decimal(5))],
        )  # fmt: skip
    assert not QuotaPlan.objects.filter(organization=org_a.organization).exists()


def test_managers_edit_plans_of_their_own_teams_only(org_a, make_plan):
    make_plan(org_a, actor=org_a.manager, scope="team", team=org_a.team, lines={"outbound_calls": 10})
    other_team = TeamFactory(organization=org_a.organization)
    with pytest.raises(PermissionDenied):
        make_plan(org_a, actor=org_a.manager, scope="team", team=other_team, lines={"outbound_calls": 10})
    with pytest.raises(PermissionDenied):
        make_plan(org_a, actor=org_a.manager, scope="organization", lines={"outbound_calls": 10})
    with pytest.raises(PermissionDenied):
        make_plan(org_a, actor=org_a.rep, scope="rep", rep=org_a.rep, lines={"outbound_calls": 10})
    assert QuotaPlan.objects.filter(organization=org_a.organization).count() == 1


def test_archived_plans_stop_applying(org_a, make_plan, employed):
    plan = make_plan(org_a, lines={"outbound_calls": 80})
    quota_plan_archive(organization=org_a.organization, actor=org_a.admin, plan=plan)
    assert targets(org_a, employed) == {}


def test_today_is_the_fixed_test_day(org_a):
    assert org_a.organization.local_today() == TODAY


def test_only_the_version_in_force_and_its_lines_are_read(org_a, make_plan, django_assert_num_queries):
    """A plan edited every week keeps its history, but pages read only the version in force for the period."""
    plan = make_plan(org_a, lines={"outbound_calls": 100})
    plan.versions.update(effective_from=WEEK_START - timedelta(weeks=10))
    calls = org_a.types["outbound_calls"]
    for weeks_back in range(9, -2, -1):  # one version a week up to this week, and one for next week
        version = QuotaPlanVersion.objects.create(
            organization=org_a.organization, plan=plan, number=12 - weeks_back,
            effective_from=WEEK_START - timedelta(weeks=weeks_back),
        )  # fmt: skip
        QuotaLine.objects.create(organization=org_a.organization, version=version, activity_type=calls,
                                 target=Decimal(200 - weeks_back))  # fmt: skip
    with django_assert_num_queries(2) as queries:  # the versions, then the lines of those returned
        (version,) = versions_in_force(organization=org_a.organization, kind="week", period_start=WEEK_START)
    assert version.effective_from == WEEK_START and [line.target for line in version.lines.all()] == [200]
    lines_query = queries.captured_queries[1]["sql"]
    assert f'"version_id" IN ({version.pk})' in lines_query  # not the eleven older versions' lines
