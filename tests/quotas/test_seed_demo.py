"""`python manage.py seed_demo` builds Nordic Advisors — people, 90 days of activity and quotas — idempotently."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, Exists, F, Min, OuterRef, Sum

from accounts.demo import demo_organization_delete
from accounts.models import Membership, Organization, Team, TeamManager
from accounts.roles import Role
from activities.demo import TOPICS, demo_activity_delete, last_full_month
from activities.models import ActivityEntry, ActivityType, Source
from activities.services.locks import entries_lock
from activities.services.types import DEFAULT_TYPES
from quotas.demo import demo_quotas_delete
from quotas.models import (
    Flag,
    FlagKind,
    FlagStatus,
    Holiday,
    HolidayKind,
    Leave,
    LeaveStatus,
    Period,
    PeriodResult,
    PeriodStatus,
    PlanScope,
    QuotaPlan,
    QuotaSettings,
    RepPeriodSummary,
)
from quotas.periods import organization_period_bounds
from quotas.selectors.conversion import team_conversion
from quotas.selectors.progress import progress_for_reps
from quotas.services.plans import next_period_start

pytestmark = pytest.mark.django_db

RAJ = "raj@nordic-advisors.example"
SOFIA = "sofia@nordic-advisors.example"
OSKAR = "oskar@nordic-advisors.example"


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo():
    return Organization.objects.get(slug="nordic-advisors")


def entries():
    return ActivityEntry.objects.filter(organization=demo())


def content():
    """The demo's activity without ids or entry times: equal when two seeds built the same data."""
    return sorted(
        entries().values_list(
            "rep__user__email", "date", "activity_type__default_key", "quantity", "topic", "contact", "note", "source",
            "external_id", "entered_by__email",
        )
    )  # fmt: skip


def test_seed_demo_builds_the_demo_organization_and_prints_logins():
    output = seed()
    organization = demo()
    assert organization.time_zone == "Europe/Stockholm"
    members = Membership.objects.filter(organization=organization)
    counts = {role: members.filter(role=role).count() for role in Role}
    assert counts == {Role.OWNER: 1, Role.ADMIN: 1, Role.MANAGER: 2, Role.HR: 1, Role.REP: 12}
    assert Team.objects.filter(organization=organization).count() == 2
    raj = members.get(user__email=RAJ)
    assert raj.team is not None and raj.probation_end is None
    today = organization.local_today()
    assert sum(m.probation_active_on(today) for m in members.filter(role=Role.REP)) == 2
    assert "raj@nordic-advisors.example" in output and "salesquota-demo" in output
    assert "activity entries" in output
    assert authenticate(email=RAJ, password="salesquota-demo") is not None
    assert authenticate(email="oskar@nordic-advisors.example", password="salesquota-demo") is not None
    # organization_create gave it the default types.
    keys = set(ActivityType.objects.filter(organization=organization).values_list("default_key", flat=True))
    assert keys == {key for key, *_rest in DEFAULT_TYPES}


def test_seed_demo_is_idempotent_and_reset_rebuilds_the_same_data():
    seed()
    first_ids = set(Membership.objects.values_list("pk", flat=True))
    first_entries = set(ActivityEntry.objects.values_list("pk", flat=True))
    first_content = content()
    assert "already exists" in seed()
    assert set(Membership.objects.values_list("pk", flat=True)) == first_ids
    assert set(ActivityEntry.objects.values_list("pk", flat=True)) == first_entries
    seed("--reset")
    assert Membership.objects.count() == len(first_ids)
    assert not set(Membership.objects.values_list("pk", flat=True)) & first_ids
    assert not set(ActivityEntry.objects.values_list("pk", flat=True)) & first_entries
    assert content() == first_content  # a fixed seed: the same activity again
    # The old demo's audit rows went with it.
    assert ActivityEntry.history.count() == ActivityEntry.objects.count()


def test_reset_works_after_a_period_was_closed():
    seed()
    start, end = last_full_month(demo().local_today())
    entries_lock(organization=demo(), start=start, end=end, reason="closed")
    seed("--reset")
    assert entries().exists()


def test_seeded_demo_closes_into_a_believable_history():
    """`seed_demo` then `close_periods` (what `make run` does): Raj meets his weekly minimums in most closed
    weeks, Sofia (probation) is flagged for her first two weeks and meets every target after, Oskar (probation)
    meets most periods, and the demo can still be rebuilt."""
    seed()
    call_command("close_periods", stdout=StringIO())
    organization = demo()
    weeks = RepPeriodSummary.objects.filter(
        organization=organization, period__kind="week", period_close__superseded_at__isnull=True
    )
    raj = [summary.plan_met for summary in weeks.filter(rep__user__email=RAJ)]
    assert len(raj) >= 11  # every full week of the 90 days of activity was closed
    assert sum(raj) > len(raj) / 2, f"Raj met his plan in {sum(raj)} of {len(raj)} closed weeks"
    # The probation reps: "flagged" is a closed period (week or month) with a below-minimum or plan-not-met flag.
    # Sofia ramps up: short of the probation plan's 250 calls in her first two weeks, every target met since.
    with_target = PeriodResult.objects.filter(
        period_close=OuterRef("period_close"), rep=OuterRef("rep"), target__isnull=False
    )  # fmt: skip
    summaries = RepPeriodSummary.objects.filter(
        Exists(with_target), organization=organization, period_close__superseded_at__isnull=True
    ).select_related("period")  # the periods in which the rep had a target (a week of leave has none)
    sofia = list(summaries.filter(rep__user__email=SOFIA).order_by("period__start", "period__kind"))
    sofia_flagged = flagged_periods(SOFIA)
    assert len(sofia_flagged) == 2, sofia_flagged
    sofia_weeks = [summary for summary in sofia if summary.period.kind == "week"]
    assert {summary.period_id for summary in sofia_weeks[:2]} == sofia_flagged
    assert all(not summary.plan_met for summary in sofia_weeks[:2])
    later = [summary for summary in sofia if summary.period_id not in sofia_flagged]
    assert len(later) >= 6 and all(summary.plan_met for summary in later)
    assert {summary.period.kind for summary in later} == {"week", "month"}
    calls = Flag.objects.filter(rep__user__email=SOFIA, kind=FlagKind.BELOW_MINIMUM).values_list(
        "result__label", "result__version__plan__scope"
    )
    assert set(calls) == {("Outbound calls", PlanScope.PROBATION)}  # the probation plan's calls, nothing else
    # Oskar: a mixed case, meeting most periods and missing one or two.
    oskar = [summary.plan_met for summary in summaries.filter(rep__user__email=OSKAR)]
    assert 1 <= len(flagged_periods(OSKAR)) <= 2 and sum(oskar) > len(oskar) - sum(oskar)
    assert sum(oskar) + len(flagged_periods(OSKAR)) == len(oskar)  # each period missed is flagged
    assert not Period.objects.filter(organization=organization, status=PeriodStatus.CLOSED,
                                     end__gte=organization.local_today()).exists()  # fmt: skip
    assert "Closed 0 period(s)" in call_command_output("close_periods")  # idempotent

    # The managers followed up all but the last two weeks: older flags are acknowledged, with a comment, by the
    # rep's team's manager; the recent ones wait in the inbox.
    cutoff = organization.local_today() - timedelta(days=14)
    flags = Flag.objects.filter(organization=organization, period_close__superseded_at__isnull=True)
    assert not flags.filter(status=FlagStatus.OPEN, period__end__lt=cutoff).exists()
    assert flags.filter(status=FlagStatus.OPEN, period__end__gte=cutoff).exists()
    followed_up = flags.filter(status=FlagStatus.ACKNOWLEDGED).select_related("rep__team", "acknowledged_by")
    assert followed_up.count() > 50
    assert all(flag.acknowledged_by in {m.user for m in flag.rep.team.managers.all()} for flag in followed_up[:20])
    assert all(flag.comments.exists() for flag in followed_up[:20])

    old_demo = organization.pk
    seed("--reset")  # the closes' results and flags do not hold on to the old demo
    assert not RepPeriodSummary.objects.filter(organization_id=old_demo).exists() and entries().exists()
    assert RepPeriodSummary.objects.filter(organization=demo()).exists()  # the new demo has its own history


def flagged_periods(email: str) -> set[int]:
    """The periods in which the rep has a current below-minimum or plan-not-met flag."""
    flags = Flag.objects.filter(
        rep__user__email=email, kind__in=[FlagKind.BELOW_MINIMUM, FlagKind.PLAN_NOT_MET],
        period_close__superseded_at__isnull=True,
    )  # fmt: skip
    return set(flags.values_list("period_id", flat=True))


def call_command_output(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_if_empty_leaves_a_database_with_other_organizations_alone():
    Organization.objects.create(name="Real Customer", slug="real")
    seed("--if-empty")
    assert not Organization.objects.filter(slug="nordic-advisors").exists()
    assert not ActivityEntry.objects.exists()


@pytest.fixture(scope="class")
def demo_seeded(django_db_setup, django_db_blocker):
    """One seed for a class of read-only checks (seeding takes about a second); removed afterwards."""
    with django_db_blocker.unblock():
        seed()
    yield
    with django_db_blocker.unblock():
        demo_quotas_delete(organization=demo())
        demo_activity_delete(organization=demo())
        demo_organization_delete()


@pytest.mark.usefixtures("demo_seeded")
class TestDemoActivity:
    """What the demo's activity looks like."""

    def test_raj_has_the_readmes_figures_in_his_last_full_month(self):
        start, end = last_full_month(demo().local_today())
        assert start.day == 1 and end + timedelta(days=1) == demo().local_today().replace(day=1)
        totals = dict(
            entries()
            .filter(rep__user__email=RAJ, date__range=(start, end))
            .values_list("activity_type__default_key")
            .annotate(total=Sum("quantity"))
        )
        assert totals["outbound_calls"] == 150
        assert totals["prospect_emails"] == 200
        assert totals["social_contacts"] == 50
        assert totals["opportunities_created"] == 30
        # Spread over his working days as he logged them, not one entry each.
        raj_month = entries().filter(
            rep__user__email=RAJ, date__range=(start, end), activity_type__default_key="outbound_calls"
        )
        assert raj_month.values("date").distinct().count() >= 15
        assert all(day.weekday() < 5 for day in raj_month.values_list("date", flat=True))

    def test_raj_converts_7_5_opportunities_per_100_outreach_activities_in_that_month(self):
        start, end = last_full_month(demo().local_today())
        raj = Membership.objects.get(organization=demo(), user__email=RAJ)
        conversion = team_conversion(organization=demo(), rep=raj, start=start, end=end)
        opportunities = next(r for r in conversion.rates if r.outcome_type.default_key == "opportunities_created")
        assert conversion.activities == 400 and opportunities.per_100 == Decimal("7.5")

    def test_activity_spans_90_days_up_to_yesterday_within_each_employment(self):
        organization = demo()
        today = organization.local_today()
        first_day, yesterday = today - timedelta(days=90), today - timedelta(days=1)
        span = entries().aggregate(first=Min("date"))
        dates = set(entries().values_list("date", flat=True))
        assert first_day <= span["first"] <= first_day + timedelta(days=2)  # the first working day of the window
        assert max(dates) <= yesterday and (yesterday - max(dates)).days <= 2  # the last working day
        assert not entries().filter(date__gte=today).exists()
        assert not entries().filter(date__lt=F("rep__employment_start")).exists()
        # Mostly Monday to Friday.
        weekend = entries().filter(date__week_day__in=[1, 7]).count()
        assert 0 < weekend < entries().count() * 0.02
        # Each entry was entered on its own day, in the organization's time zone.
        dated = entries().values_list("date", "created_at")
        assert all(created.astimezone(organization.zone).date() == day for day, created in dated)

    def test_every_rep_has_activity_and_reps_differ(self):
        reps = Membership.objects.filter(organization=demo(), role=Role.REP)
        per_rep = dict(
            entries()
            .filter(activity_type__default_key="outbound_calls")
            .values_list("rep__user__email")
            .annotate(n=Sum("quantity"))
        )
        assert set(per_rep) == set(reps.values_list("user__email", flat=True))
        assert per_rep["johan@nordic-advisors.example"] > per_rep["fatima@nordic-advisors.example"] * 3 / 2
        # The reps on probation are new: their activity starts with their employment.
        for email in ("sofia@nordic-advisors.example", "oskar@nordic-advisors.example"):
            rep = reps.get(user__email=email)
            first = entries().filter(rep=rep).aggregate(first=Min("date"))["first"]
            assert rep.employment_start <= first <= rep.employment_start + timedelta(days=7)

    def test_activity_has_topics_contacts_notes_sources_and_entries_on_behalf(self):
        assert set(entries().exclude(topic="").values_list("topic", flat=True)) == set(TOPICS)
        assert entries().exclude(contact="").exists() and entries().exclude(note="").exists()
        sources = dict(entries().values_list("source").annotate(n=Count("pk")))
        assert set(sources) == {Source.WEB, Source.IMPORT, Source.API}
        assert sources[Source.WEB] > 0.8 * sum(sources.values())
        assert not entries().filter(source__in=[Source.IMPORT, Source.API], external_id__isnull=True).exists()
        on_behalf = entries().exclude(entered_by=F("rep__user"))
        assert on_behalf.exists()
        # Only the rep's own team manager enters for them.
        leads = set(TeamManager.objects.filter(organization=demo()).values_list("membership__user_id", "team_id"))
        assert set(on_behalf.values_list("entered_by_id", "rep__team_id")) <= leads
        assert entries().filter(activity_type__default_key="revenue").exists()

    def test_every_entry_has_its_audit_row(self):
        organization = demo()
        count = entries().count()
        history = ActivityEntry.history.filter(organization_id=organization.pk)
        assert history.count() == count and history.filter(history_type="+").count() == count
        assert not history.filter(history_user__isnull=True).exists()
        assert not history.exclude(history_user=F("entered_by")).exists()
        assert not history.exclude(history_date=F("created_at")).exists()


@pytest.mark.usefixtures("demo_seeded")
class TestDemoQuotas:
    """The demo's plans, holidays and leave, as the progress pages show them."""

    def reps(self):
        return list(Membership.objects.filter(organization=demo(), role=Role.REP).select_related("user", "team"))

    def test_plans_for_both_teams_sales_and_probation(self):
        plans = {p.name: p for p in QuotaPlan.objects.filter(organization=demo()).select_related("team")}
        assert {(p.scope, p.period_kind, p.team.name if p.team else None) for p in plans.values()} == {
            (PlanScope.TEAM, "week", "Stockholm"),
            (PlanScope.TEAM, "week", "Göteborg"),
            (PlanScope.ORGANIZATION, "month", None),
            (PlanScope.PROBATION, "week", None),
            (PlanScope.PROBATION, "month", None),
        }
        organization = demo()
        today = organization.local_today()
        # History: each first version reaches back to the first full period of the activity.
        first_day = today - timedelta(days=90)
        for plan in plans.values():
            first = plan.versions.get(number=1)
            assert first_day <= first.effective_from <= first_day + timedelta(days=31)
            assert first.effective_from == organization_period_bounds(
                organization, kind=plan.period_kind, day=first.effective_from
            )[0]
        # A change published through the service starts next week and leaves this week alone.
        stockholm = plans["Stockholm weekly activity"]
        assert stockholm.versions.count() == 2
        next_week = next_period_start(organization=organization, kind="week")
        assert stockholm.versions.get(number=2).effective_from == next_week
        probation = plans["Probation: retirement planning contacts"].versions.get().lines.get()
        assert (probation.activity_type.default_key, probation.target, probation.topic) == (
            "social_contacts", 50, "retirement planning"
        )  # fmt: skip

    def test_probation_plans_apply_to_the_two_probation_reps_only(self):
        organization = demo()
        today = organization.local_today()
        for kind, plan_name in [
            ("week", "Probation: 250 calls a week"),
            ("month", "Probation: retirement planning contacts"),
        ]:
            results = progress_for_reps(organization=organization, reps=self.reps(), kind=kind, day=today)
            under_probation = {
                r.rep.user.email for r in results if any(line.version.plan.name == plan_name for line in r.lines)
            }
            assert under_probation == {"sofia@nordic-advisors.example", "oskar@nordic-advisors.example"}
        # The probation calls line replaces the team's calls line; the team's other lines stay.
        (sofia,) = progress_for_reps(
            organization=organization, reps=[r for r in self.reps() if r.user.first_name == "Sofia"], kind="week",
            day=today,
        )  # fmt: skip
        lines = {line.label: line.version.plan.name for line in sofia.lines}
        assert lines["Outbound calls"] == "Probation: 250 calls a week"
        assert lines["Prospect e-mails"] == "Stockholm weekly activity"

    def test_raj_has_targets_and_progress(self, client):
        organization = demo()
        raj = next(r for r in self.reps() if r.user.email == RAJ)
        last_week = organization.local_today() - timedelta(days=7)
        (progress,) = progress_for_reps(organization=organization, reps=[raj], kind="week", day=last_week)
        calls = next(line for line in progress.lines if line.label == "Outbound calls")
        assert calls.version.plan.name == "Stockholm weekly activity" and calls.target.value > 0
        assert calls.actual > 0 and progress.points is not None and progress.points.actual > 0
        (month,) = progress_for_reps(
            organization=organization, reps=[raj], kind="month", day=organization.local_today()
        )
        assert {line.label for line in month.lines} == {"Revenue", "Opportunities created"}
        client.force_login(raj.user)
        html = client.get(f"/o/{organization.slug}/progress/").content.decode()
        assert "Stockholm weekly activity" in html and "Monthly sales" in html and "<progress" in html

    def test_swedish_holidays_for_this_year_and_next_and_approved_leave(self):
        organization = demo()
        year = organization.local_today().year
        holidays = Holiday.objects.filter(organization=organization, kind=HolidayKind.PUBLIC)
        for y in (year, year + 1):
            assert holidays.filter(date=date(y, 12, 25)).exists() and holidays.filter(date=date(y, 6, 6)).exists()
        assert QuotaSettings.objects.get(organization=organization).holiday_country == "SE"
        leave = Leave.objects.filter(organization=organization).select_related("rep__user", "decided_by")
        assert {(one.rep.user.first_name, one.status) for one in leave if one.rep.probation_end is None} == {
            ("Lars", LeaveStatus.APPROVED),
            ("Elin", LeaveStatus.APPROVED),
        }
        # The reps in probation: their working days without activity, as approved leave (probation report).
        for one in leave.filter(rep__probation_end__isnull=False):
            assert one.status == LeaveStatus.APPROVED and one.start >= one.rep.employment_start
            weekdays = entries().filter(rep=one.rep, date__range=(one.start, one.end), date__week_day__in=[2, 3, 4, 5, 6])
            assert not weekdays.exists()
        leads = set(TeamManager.objects.filter(organization=organization).values_list("membership__user_id", "team_id"))
        assert all((one.decided_by_id, one.rep.team_id) in leads for one in leave)  # entered by the rep's manager
