"""The demo organization's quotas: plans for both teams, an organization-wide sales plan, the probation plans,
Swedish public holidays and some approved leave (see accounts/demo.py, activities/demo.py and `seed_demo`).

Everything goes through the quotas services, as an admin and the teams' managers would do it, so the demo
obeys the same rules as real data. The one exception is history: a new plan starts in the current period,
but the demo has 90 days of activity, so each plan's first version is moved back to the first full period of
that activity (see `_backdate`), for the trends and closes of the past periods.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from accounts.demo import demo_email
from accounts.models import Organization, TeamManager
from accounts.roles import Role
from accounts.selectors import membership_list
from activities.models import ActivityEntry
from activities.selectors import activity_type_list

from .models import (
    Flag,
    FlagKind,
    FlagStatus,
    Holiday,
    Leave,
    Period,
    PlanScope,
    ProbationDecision,
    QuotaPlan,
    QuotaPlanVersion,
    QuotaSettings,
)
from .periods import days_between, organization_period_bounds
from .services.calendar import holidays_apply_preset, leave_create
from .services.close import organization_close_due
from .services.flags import flag_acknowledge
from .services.periods import periods_ensure
from .services.plans import LineData, next_period_start, quota_plan_create, quota_plan_publish

HISTORY_DAYS = 90  # as far back as the demo's activity (activities/demo.py DAYS)
HOLIDAY_COUNTRY = "SE"

# (name, period kind, scope, team name or None, {type key or (type key, topic): target}, points target).
# The targets sit near what an average demo rep does (activities/demo.py DAILY_RATES), so that the pages
# show a mix of on track, at risk, behind and met; the probation targets are the article's, and steep.
# Stockholm's sit a little lower: Raj's README month (150 calls, 200 e-mails) meets them, and so does he in
# most closed weeks.
PLANS = [
    ("Stockholm weekly activity", "week", PlanScope.TEAM, "Stockholm",
     {"outbound_calls": 30, "prospect_emails": 40, "meetings": 3}, 120),
    ("Göteborg weekly activity", "week", PlanScope.TEAM, "Göteborg",
     {"outbound_calls": 35, "social_contacts": 10, "meetings": 5, "demos": 2}, 140),
    ("Monthly sales", "month", PlanScope.ORGANIZATION, None,
     {"revenue": 600000, "opportunities_created": 25}, None),
    ("Probation: 250 calls a week", "week", PlanScope.PROBATION, None,
     {"outbound_calls": 250}, None),
    ("Probation: retirement planning contacts", "month", PlanScope.PROBATION, None,
     {("social_contacts", "retirement planning"): 50}, None),
]  # fmt: skip

# The Stockholm plan asks for more outbound calls from next week: a published change, to show versions.
NEXT_VERSION = ("Stockholm weekly activity", {"outbound_calls": 35, "prospect_emails": 40, "meetings": 3}, 130,
                "More outbound calls from next week")  # fmt: skip

# Approved leave, entered by the rep's manager: (rep's first name, first day, last day, reason), days relative
# to the current week.
LEAVE = [("Lars", "this_friday", "this_friday", "Dentist"), ("Elin", "in_3_weeks", "in_3_weeks_plus_4", "Vacation")]


@transaction.atomic
def demo_quotas_delete(*, organization: Organization) -> None:
    """Remove the demo's plans, leave and calendar (their foreign keys restrict deleting members and teams)."""
    # The periods take their closes along (results, flags, corrections, notifications), which restrict
    # deleting the plans' versions and the reps.
    Period.objects.filter(organization=organization).delete()
    QuotaPlan.objects.filter(organization=organization).delete()
    Leave.objects.filter(organization=organization).delete()
    ProbationDecision.objects.filter(organization=organization).delete()  # HR may have recorded some
    Holiday.objects.filter(organization=organization).delete()
    QuotaSettings.objects.filter(organization=organization).delete()


@transaction.atomic
def demo_quotas_create(*, organization: Organization) -> dict[str, int]:
    """Holidays, plans and leave of the demo organization; returns what was created, for the command's output."""
    today = organization.local_today()
    members = list(membership_list(organization=organization))
    admin = next(m for m in members if m.role == Role.ADMIN)
    managers = {team.name: m for m in members if m.role == Role.MANAGER for team in m.managed_teams.all()}
    reps = {m.user.email: m for m in members if m.role == Role.REP}
    teams = {m.team.name: m.team for m in members if m.team is not None}
    types = {t.default_key: t for t in activity_type_list(organization=organization) if t.default_key}

    first_day = today - timedelta(days=HISTORY_DAYS)
    # The history's periods, for the close (a new organization's periods begin with the current year).
    periods_ensure(organization=organization, start=first_day, end=today)
    holidays = sum(
        len(holidays_apply_preset(organization=organization, actor=admin, country=HOLIDAY_COUNTRY, year=year))
        for year in range(first_day.year, today.year + 2)  # the activity's years, and next year
    )

    plans = {}
    for name, kind, scope, team_name, lines, points in PLANS:
        actor = managers[team_name] if team_name else admin  # managers set their own team's plan
        plans[name] = quota_plan_create(
            organization=organization, actor=actor, name=name, period_kind=kind, scope=scope,
            team=teams.get(team_name), lines=_lines(lines, types),
            points_target=Decimal(points) if points else None,
        )  # fmt: skip
        _backdate(organization=organization, plan=plans[name], day=first_day)
    name, lines, points, note = NEXT_VERSION
    plan = plans[name]
    quota_plan_publish(
        organization=organization, actor=managers[plan.team.name], plan=plan, lines=_lines(lines, types),
        points_target=Decimal(points), effective_from=next_period_start(organization=organization, kind="week"),
        note=note,
    )  # fmt: skip

    for first_name, start, end, reason in LEAVE:
        rep = reps[demo_email(first_name)]
        leave_create(
            organization=organization, actor=managers[rep.team.name], rep=rep, start=_day(today, start),
            end=_day(today, end), reason=reason,
        )  # fmt: skip
    probation_leave = _probation_leave(
        organization=organization, reps=[rep for rep in reps.values() if rep.probation_end], managers=managers,
        today=today,
    )  # fmt: skip
    return {"holidays": holidays, "plans": len(plans), "leave": len(LEAVE) + probation_leave}


# The managers' follow-up of the demo's past: the flags of periods that ended before this many days ago are
# acknowledged (a living team's inbox holds the last two weeks, not three months).
FOLLOWED_UP_BEFORE_DAYS = 14
FOLLOW_UP_COMMENTS = {
    FlagKind.BELOW_MINIMUM: "Went through it in our 1:1: more call blocks in the mornings next week.",
    FlagKind.PLAN_NOT_MET: "Agreed on a plan for the coming week.",
    FlagKind.EXCEEDED: "Great work, thank you!",
}


def demo_history_close(*, organization: Organization) -> int:
    """Close the demo's past periods, then acknowledge the flags older than two weeks as the reps' managers would
    have; returns the number of periods closed. (The close and the acknowledgements are the real services.)"""
    closed = organization_close_due(organization=organization)
    cutoff = organization.local_today() - timedelta(days=FOLLOWED_UP_BEFORE_DAYS)
    managers = {
        link.team_id: link.membership
        for link in TeamManager.objects.filter(organization=organization).select_related("membership").order_by("pk")
    }
    old_flags = Flag.objects.filter(organization=organization, status=FlagStatus.OPEN, period__end__lt=cutoff)
    for flag in old_flags.select_related("rep").order_by("pk"):
        if flag.rep.team_id in managers:
            flag_acknowledge(organization=organization, actor=managers[flag.rep.team_id], flag=flag,
                             comment=FOLLOW_UP_COMMENTS[flag.kind])  # fmt: skip
    return len(closed)


def _probation_leave(*, organization: Organization, reps, managers, today: date) -> int:
    """The reps in probation were off on the working days without activity (activities/demo.py gives new reps
    sick days too): their manager entered those days as approved leave, so that the probation report's leave,
    the pro-rated targets and the activity tell one story. Returns the number of leaves."""
    holidays = set(Holiday.objects.filter(organization=organization).values_list("date", flat=True))
    count = 0
    for rep in sorted(reps, key=lambda rep: rep.pk):
        active = set(
            ActivityEntry.objects.filter(organization=organization, rep=rep).values_list("date", flat=True).distinct()
        )
        first = max(rep.employment_start, today - timedelta(days=HISTORY_DAYS))
        off = [
            day for day in days_between(first, today - timedelta(days=1))
            if day.weekday() < 5 and day not in holidays and day not in active
        ]  # fmt: skip
        for run in _runs(off, holidays):
            leave_create(
                organization=organization, actor=managers[rep.team.name], rep=rep, start=run[0], end=run[-1],
                reason="Sick" if len(run) <= 2 else "Vacation",
            )  # fmt: skip
            count += 1
    return count


def _runs(days: list[date], holidays: set[date]) -> list[list[date]]:
    """Working days in a row (a weekend or a holiday between two days does not break a run)."""
    runs: list[list[date]] = []
    for day in days:
        if runs:
            between = days_between(runs[-1][-1] + timedelta(days=1), day - timedelta(days=1))
            if all(gap.weekday() >= 5 or gap in holidays for gap in between):
                runs[-1].append(day)
                continue
        runs.append([day])
    return runs


def _lines(lines: dict, types: dict) -> list[LineData]:
    result = []
    for key, target in lines.items():
        type_key, topic = key if isinstance(key, tuple) else (key, "")
        result.append(LineData(activity_type=types[type_key], target=Decimal(target), topic=topic))
    return result


def _backdate(*, organization: Organization, plan: QuotaPlan, day: date) -> None:
    """Demo history only: move the plan's first version back to the first period that starts on or after `day`.

    The services never do this (a new plan starts in the current period, history is never rewritten); the
    demo needs it because its activity reaches 90 days back and nothing was closed yet. A full period, so
    that the first closed week or month is not one of a few days' activity. Today's targets were validated
    by quota_plan_create; only the start date changes.
    """
    start, end = organization_period_bounds(organization, kind=plan.period_kind, day=day)
    if start < day:
        start = end + timedelta(days=1)
    QuotaPlanVersion.objects.filter(organization=organization, plan=plan, number=1).update(effective_from=start)


def _day(today: date, when: str) -> date:
    monday = today - timedelta(days=today.weekday())
    return {
        "this_friday": monday + timedelta(days=4),
        "in_3_weeks": monday + timedelta(weeks=3),
        "in_3_weeks_plus_4": monday + timedelta(weeks=3, days=4),
    }[when]

