"""The close: frozen results, flags, streaks, locked entries — once, not early, all or nothing."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from accounts.roles import Role
from activities.models import ActivityEntry
from activities.services.locks import date_is_locked, entries_unlock
from quotas.models import (
    Flag,
    FlagKind,
    FlagStatus,
    Notification,
    Period,
    PeriodClose,
    PeriodResult,
    PeriodStatus,
    QuotaLine,
    QuotaPlanVersion,
    RepPeriodSummary,
)
from quotas.selectors.progress import progress_for_period
from quotas.services import close as close_service
from quotas.services.calendar import leave_create
from quotas.services.close import MAX_CLOSE_ATTEMPTS, organization_close_due, period_close, periods_due
from quotas.services.periods import periods_ensure

from ..factories import MembershipFactory
from .conftest import WEEK_START

# A closed result has no pace: below the minimum, met, exceeded, or no target.
FINAL_STATUS = {"met": "met", "exceeded": "exceeded", "no_target": "no_target"}

LAST_WEEK = WEEK_START - timedelta(days=7)  # Mon 2026-11-16 … Sun 2026-11-22
# The week of 23–29 Nov ends at local midnight Mon 30 Nov (CET, UTC+1) + 2 h grace = 01:00 UTC.
JUST_BEFORE_DUE = datetime(2026, 11, 30, 0, 59, tzinfo=UTC)
JUST_AFTER_DUE = datetime(2026, 11, 30, 1, 1, tzinfo=UTC)


def add(org, rep, type_key, quantity, day):
    ActivityEntry.objects.create(organization=org.organization, rep=rep, activity_type=org.types[type_key],
                                 quantity=quantity, date=day, entered_by=rep.user)  # fmt: skip


@pytest.fixture
def weeks(org_a, make_plan, employed):
    """A weekly plan (calls 50, meetings 4) from last week on, and the periods of the last weeks."""
    plan = make_plan(org_a, lines={"outbound_calls": 50, "meetings": 4}, kind="week")
    plan.versions.update(effective_from=LAST_WEEK - timedelta(days=7))  # test history: it applied before
    periods_ensure(organization=org_a.organization, start=LAST_WEEK - timedelta(days=7), end=WEEK_START + timedelta(days=13),
                   kinds=["week"])  # fmt: skip
    return {p.start: p for p in Period.objects.filter(organization=org_a.organization, kind="week")}


def test_a_week_closes_into_frozen_results_flags_and_locked_entries(org_a, weeks, employed):
    add(org_a, employed, "outbound_calls", 61, LAST_WEEK)  # exceeded (≥ 120 %)
    add(org_a, employed, "meetings", 3, LAST_WEEK)  # below the minimum
    silent = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)  # never logged in
    period = weeks[LAST_WEEK]
    period_close(organization=org_a.organization, period=period)
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    results = {(r.rep_id, r.label): r for r in PeriodResult.objects.filter(period=period)}
    calls, meetings = results[(employed.pk, "Outbound calls")], results[(employed.pk, "Meetings")]
    assert (calls.actual, calls.target, calls.status) == (61, 50, "exceeded")
    assert (meetings.actual, meetings.target, meetings.status) == (3, 4, "below_minimum")
    assert results[(silent.pk, "Outbound calls")].actual == 0  # results never depend on logging in
    kinds = sorted(Flag.objects.filter(period=period, rep=employed).values_list("kind", flat=True))
    assert kinds == sorted([FlagKind.EXCEEDED, FlagKind.BELOW_MINIMUM, FlagKind.PLAN_NOT_MET])
    assert date_is_locked(organization=org_a.organization, day=LAST_WEEK)
    assert not date_is_locked(organization=org_a.organization, day=WEEK_START)


def test_closing_twice_leaves_one_result_set(org_a, weeks, employed):
    add(org_a, employed, "outbound_calls", 10, LAST_WEEK)
    assert period_close(organization=org_a.organization, period=weeks[LAST_WEEK]) is not None
    assert period_close(organization=org_a.organization, period=weeks[LAST_WEEK]) is None
    assert PeriodClose.objects.filter(period=weeks[LAST_WEEK]).count() == 1
    assert PeriodResult.objects.filter(period=weeks[LAST_WEEK]).count() == 2 * Membership.objects.filter(
        organization=org_a.organization, role=Role.REP
    ).count()


def test_never_early_and_on_time_after_grace_in_the_organizations_zone(org_a, weeks):
    this_week = weeks[WEEK_START]
    assert this_week not in periods_due(organization=org_a.organization, now=JUST_BEFORE_DUE)
    assert this_week in periods_due(organization=org_a.organization, now=JUST_AFTER_DUE)


def test_streak_counts_consecutive_periods_met(org_a, weeks, employed):
    for week_start in (LAST_WEEK - timedelta(days=7), LAST_WEEK):
        add(org_a, employed, "outbound_calls", 50, week_start)
        add(org_a, employed, "meetings", 4, week_start)
    organization_close_due(organization=org_a.organization, now=datetime(2026, 11, 25, 12, tzinfo=UTC))
    summary = RepPeriodSummary.objects.get(period=weeks[LAST_WEEK], rep=employed)
    assert (summary.plan_met, summary.streak) == (True, 2)


def test_a_week_without_a_target_neither_meets_nor_breaks_the_streak(org_a, weeks, employed):
    """Leave all of last week: every line has no target. Not "plan not met" (no flag, not a miss for HR), and
    the streak of the week before carries over it."""
    earlier = LAST_WEEK - timedelta(days=7)
    add(org_a, employed, "outbound_calls", 50, earlier)
    add(org_a, employed, "meetings", 4, earlier)
    leave_create(organization=org_a.organization, actor=org_a.manager, rep=employed, start=LAST_WEEK,
                 end=LAST_WEEK + timedelta(days=6), reason="Vacation")  # fmt: skip
    organization_close_due(organization=org_a.organization, now=datetime(2026, 11, 25, 12, tzinfo=UTC))
    summary = RepPeriodSummary.objects.get(period=weeks[LAST_WEEK], rep=employed)
    assert {r.status for r in PeriodResult.objects.filter(period=weeks[LAST_WEEK], rep=employed)} == {"no_target"}
    assert (summary.plan_met, summary.streak) == (None, 1)
    assert not Flag.objects.filter(period=weeks[LAST_WEEK], rep=employed).exists()


def test_a_reclose_recounts_the_streaks_of_the_later_periods(org_a, weeks, employed):
    """Week 1 missed, week 2 met (streak 1); a correction makes week 1 met: week 2 is the second in a row."""
    earlier = LAST_WEEK - timedelta(days=7)
    add(org_a, employed, "outbound_calls", 50, earlier)
    add(org_a, employed, "meetings", 3, earlier)  # one short
    add(org_a, employed, "outbound_calls", 50, LAST_WEEK)
    add(org_a, employed, "meetings", 4, LAST_WEEK)
    organization_close_due(organization=org_a.organization, now=datetime(2026, 11, 25, 12, tzinfo=UTC))

    def streaks():
        current = RepPeriodSummary.objects.filter(rep=employed, period_close__superseded_at__isnull=True)
        return [current.get(period=weeks[start]).streak for start in (earlier, LAST_WEEK)]

    assert streaks() == [0, 1]
    entries_unlock(organization=org_a.organization, start=earlier, end=earlier, actor=org_a.admin.user, reason="fix")
    add(org_a, employed, "meetings", 1, earlier)
    period_close(organization=org_a.organization, period=weeks[earlier], reclose=True, reason="correction")
    assert streaks() == [1, 2]
    # …and back: the week missed again resets the later streak.
    entries_unlock(organization=org_a.organization, start=earlier, end=earlier, actor=org_a.admin.user, reason="fix")
    ActivityEntry.objects.filter(rep=employed, date=earlier, activity_type=org_a.types["meetings"]).delete()
    period_close(organization=org_a.organization, period=weeks[earlier], reclose=True, reason="correction")
    assert streaks() == [0, 1]


def test_a_reclose_gives_a_rep_it_did_not_have_their_targets(org_a, weeks, employed):
    """A rep entered after the close, with an employment start before it (and their week logged by a manager):
    the replaced close had no results for them, so the re-close computes theirs; the others keep their own."""
    add(org_a, employed, "outbound_calls", 50, LAST_WEEK)
    period_close(organization=org_a.organization, period=weeks[LAST_WEEK])
    late = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team,
                             employment_start=LAST_WEEK - timedelta(days=30))  # fmt: skip
    closed_at = PeriodClose.objects.get(period=weeks[LAST_WEEK]).created_at
    Membership.objects.filter(pk=late.pk).update(created_at=closed_at + timedelta(hours=1))  # joined after it
    # A rep who was a member when the week closed but had no result then (as if no plan applied to them) gets
    # none from the re-close, whatever applies to them now: the closed week asked nothing of them.
    elsewhere = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    Membership.objects.filter(pk=elsewhere.pk).update(created_at=closed_at - timedelta(days=90))
    entries_unlock(organization=org_a.organization, start=LAST_WEEK, end=LAST_WEEK, actor=org_a.admin.user,
                   reason="late hire")  # fmt: skip
    add(org_a, late, "outbound_calls", 20, LAST_WEEK)
    period_close(organization=org_a.organization, period=weeks[LAST_WEEK], reclose=True, reason="late hire")
    current = PeriodResult.objects.filter(period=weeks[LAST_WEEK], period_close__superseded_at__isnull=True)
    assert {(r.label, r.actual, r.target) for r in current.filter(rep=late)} == {
        ("Outbound calls", 20, 50), ("Meetings", 0, 4)
    }  # fmt: skip
    assert current.filter(rep=employed).count() == 2
    assert not current.filter(rep=elsewhere).exists()


def test_a_crash_before_commit_leaves_nothing_and_three_failures_stop_the_period(org_a, weeks, employed):
    period = weeks[LAST_WEEK]
    add(org_a, employed, "outbound_calls", 10, LAST_WEEK)
    with mock.patch.object(close_service, "entries_lock", side_effect=RuntimeError("disk full")):
        for attempt in range(1, MAX_CLOSE_ATTEMPTS + 1):
            with pytest.raises(RuntimeError):
                close_service.period_close_attempt(organization=org_a.organization, period=period)
            period.refresh_from_db()
            assert period.close_attempts == attempt
    assert period.status == PeriodStatus.CLOSE_FAILED and "disk full" in period.last_error
    assert not PeriodClose.objects.filter(period=period).exists()
    assert not PeriodResult.objects.filter(period=period).exists()
    assert not Flag.objects.filter(period=period).exists()
    assert not date_is_locked(organization=org_a.organization, day=LAST_WEEK)
    assert period not in periods_due(organization=org_a.organization, now=JUST_AFTER_DUE)


def test_reclose_replaces_results_and_keeps_the_replaced_ones(org_a, weeks, employed):
    period = weeks[LAST_WEEK]
    add(org_a, employed, "outbound_calls", 10, LAST_WEEK)
    first = period_close(organization=org_a.organization, period=period)
    second = period_close(organization=org_a.organization, period=period, actor=org_a.admin.user,
                          reason="correction", reclose=True)  # fmt: skip
    first.refresh_from_db()
    assert first.superseded_at is not None and second.number == 2
    assert PeriodResult.objects.filter(period_close=first).exists()  # history kept
    assert not Flag.objects.filter(period_close=first, status=FlagStatus.OPEN).exists()
    assert Flag.objects.filter(period_close=second, status=FlagStatus.OPEN).exists()


def test_close_periods_command(org_a, weeks, employed):
    call_command("close_periods", "--org", org_a.slug, "--as-of", "2026-11-30", stdout=mock.MagicMock())
    assert Period.objects.get(pk=weeks[WEEK_START].pk).status == PeriodStatus.CLOSED
    assert Period.objects.get(pk=weeks[WEEK_START + timedelta(days=7)].pk).status == PeriodStatus.OPEN


def close_counting_queries(org, period) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        period_close(organization=org.organization, period=period)
    return [q["sql"] for q in queries.captured_queries]


def add_reps(org, count, day):
    reps = MembershipFactory.create_batch(count, organization=org.organization, role=Role.REP, team=org.team)
    ActivityEntry.objects.bulk_create(
        ActivityEntry(organization=org.organization, rep=rep, activity_type=org.types["outbound_calls"],
                      quantity=5, date=day, entered_by=rep.user)
        for rep in reps
    )  # fmt: skip


def test_query_count_per_period_is_constant_in_the_number_of_reps(org_a, weeks):
    two_weeks_ago = LAST_WEEK - timedelta(days=7)
    add_reps(org_a, 5, two_weeks_ago)
    small = close_counting_queries(org_a, weeks[two_weeks_ago])
    add_reps(org_a, 45, LAST_WEEK)
    large = close_counting_queries(org_a, weeks[LAST_WEEK])
    def shape(queries):
        return [re.sub(r"s\d+_x\d+", "savepoint", q)[:60] for q in queries]

    assert shape(large) == shape(small), "\n".join(q[:100] for q in large)
    # claim, close row, reps, plans + lines, holidays with leave, results, summaries, flags, lock, period (the test's
    # own transaction adds a savepoint around them, which a worker does not have)
    statements = [q for q in large if "SAVEPOINT" not in q]
    assert len(statements) == 11, "\n".join(q[:100] for q in statements)


def test_a_backfilled_close_of_a_long_past_period_e_mails_nobody(org_a, weeks, employed, django_capture_on_commit_callbacks):
    add(org_a, employed, "outbound_calls", 10, LAST_WEEK - timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        period_close(organization=org_a.organization, period=weeks[LAST_WEEK - timedelta(days=7)])  # ended 10 days ago
    assert not Notification.objects.exists() and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        period_close(organization=org_a.organization, period=weeks[LAST_WEEK])  # ended 3 days ago
    assert Notification.objects.filter(recipient=employed.user).exists() and mail.outbox


def test_frozen_results_equal_the_live_progress_of_the_last_day(org_a, weeks, employed, make_plan):
    """The close counts in SQL what the live progress counts in Python: topics, distinct contacts, money,
    points, pro-rating for leave and part time — the same figures, so a rep's last look is what is frozen."""
    org = org_a
    make_plan(
        org, kind="week", scope="rep", rep=employed, points_target=40,
        lines={("prospect_emails", "renewal"): 10, "revenue": 5000, "outbound_calls": 20},
    )  # fmt: skip
    social = org.types["social_contacts"]
    make_plan(org, kind="week", scope="team", team=org.team, lines={"social_contacts": 3})
    QuotaLine.objects.filter(activity_type=social).update(distinct_contacts=True)
    QuotaPlanVersion.objects.update(effective_from=LAST_WEEK - timedelta(days=7))
    Membership.objects.filter(pk=employed.pk).update(fte_percent=80)
    employed.refresh_from_db()
    day = LAST_WEEK
    add(org, employed, "outbound_calls", 9, day)
    add(org, employed, "outbound_calls", 14, day + timedelta(days=1))
    add(org, employed, "meetings", 2, day)
    add(org, employed, "revenue", Decimal("1234.50"), day + timedelta(days=2))
    for topic, quantity in (("renewal", 4), ("renewal", 3), ("new", 5)):
        ActivityEntry.objects.create(organization=org.organization, rep=employed, activity_type=org.types["prospect_emails"],
                                     quantity=quantity, date=day, topic=topic, entered_by=employed.user)  # fmt: skip
    for contact in ("Ada", " ada ", "Bo", ""):
        ActivityEntry.objects.create(organization=org.organization, rep=employed, activity_type=social, quantity=1,
                                     date=day, contact=contact, entered_by=employed.user)  # fmt: skip
    period = weeks[LAST_WEEK]
    (live,) = progress_for_period(organization=org.organization, reps=[employed], kind="week", start=period.start,
                                  end=period.end, day=period.end + timedelta(days=1))  # fmt: skip
    period_close(organization=org.organization, period=period)

    frozen = {
        (r.line_id, r.label): (r.actual, r.target, r.attainment, r.status, r.explanation)
        for r in PeriodResult.objects.filter(period=period, rep=employed)
    }
    expected = {
        (p.line.pk if p.line else None, p.label): (
            p.actual, p.target.value, p.attainment, FINAL_STATUS.get(p.status, "below_minimum"), p.target.explanation
        )
        for p in [*live.lines, live.points]
    }
    assert frozen == expected
    assert len(frozen) == 6  # calls, meetings (organization plan), e-mails tagged renewal, revenue, contacts, points
    assert frozen[(None, "Points")][0] == 9 + 14 + 2 * 5 + 4 + 3 + 5 + 4  # weights: calls/e-mails/social 1, meetings 5


def test_each_rep_is_frozen_with_the_lines_of_their_own_plans(org_a, weeks, employed, make_plan):
    """Reps share sets of targets in the close's statement: a rep with a plan of their own on top of the team's
    gets both plans' lines, a teammate only the team's, and every entry counts whatever its topic or contact."""
    org = org_a
    teammate = MembershipFactory(organization=org.organization, role=Role.REP, team=org.team)
    make_plan(org, kind="week", scope="team", team=org.team, lines={"outbound_calls": 20, "meetings": 2})
    make_plan(org, kind="week", scope="rep", rep=employed, lines={"prospect_emails": 10})
    QuotaPlanVersion.objects.update(effective_from=LAST_WEEK - timedelta(days=7))
    for rep, quantity in ((employed, 7), (teammate, 30)):
        for topic, contact in (("renewal", "Ada"), ("", ""), ("new", "Bo")):
            ActivityEntry.objects.create(organization=org.organization, rep=rep, activity_type=org.types["outbound_calls"],
                                         quantity=quantity, date=LAST_WEEK, topic=topic, contact=contact,
                                         entered_by=rep.user)  # fmt: skip
    period_close(organization=org.organization, period=weeks[LAST_WEEK])

    results = {(r.rep_id, r.label): r.actual for r in PeriodResult.objects.filter(period=weeks[LAST_WEEK])}
    assert results == {
        (employed.pk, "Outbound calls"): 21, (employed.pk, "Meetings"): 0, (employed.pk, "Prospect e-mails"): 0,
        (teammate.pk, "Outbound calls"): 90, (teammate.pk, "Meetings"): 0,
    }  # fmt: skip


def test_the_sweep_sends_one_close_per_due_period_of_every_organization(org_a, org_b, weeks, django_capture_on_commit_callbacks):
    """Beat's task (run eagerly here): each due period of each organization is closed once; a second tick finds
    nothing due."""
    from quotas.tasks import close_due_periods_task

    periods_ensure(organization=org_b.organization, start=LAST_WEEK, end=LAST_WEEK + timedelta(days=6), kinds=["week"])
    due = [p.pk for org in (org_a, org_b) for p in periods_due(organization=org.organization)]
    assert len(due) >= 3 and {p.organization_id for p in Period.objects.filter(pk__in=due)} == {
        org_a.organization.pk, org_b.organization.pk}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert close_due_periods_task() == len(due)
    assert PeriodClose.objects.filter(period__in=due).count() == len(due)
    assert close_due_periods_task() == 0
