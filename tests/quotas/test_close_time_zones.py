"""The sweep in every time zone, across the DST changes: each period closes once, never early, and on time.

A frozen clock steps in 5-minute beat ticks through 72 hours around a DST change and runs the sweep's logic
(`organization_close_due`) at each tick, for an organization with a weekly and a daily plan. The expected
due time is worked out here independently of the service: local midnight after the period's last day,
converted to UTC, plus the grace (added in UTC — adding it to a local wall-clock time is the classic DST bug).
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import Organization
from activities.models import ActivityEntry
from quotas.models import Period, PeriodClose, PeriodResult, PeriodStatus, QuotaPlanVersion, QuotaSettings
from quotas.services.close import organization_close_due
from quotas.services.periods import periods_ensure
from quotas.services.plans import LineData, quota_plan_create

BEAT = timedelta(minutes=5)
WINDOW = timedelta(hours=72)
ON_TIME = timedelta(minutes=15)  # a due period closes within this after its end + grace
# Beat ticks are not aligned with anyone's midnight: this offset makes "never early" a real check.
TICK_OFFSET = timedelta(minutes=2, seconds=17)

# A grace per zone. Where it reaches past the hour the clocks change (Stockholm, New York), a grace added to
# the local wall clock instead of in UTC closes an hour early in spring and an hour late in autumn.
GRACE_MINUTES = {
    "Europe/Stockholm": 180,  # 03:00 local: after the change at 02:00 (spring) and 03:00 (autumn)
    "UTC": 0,
    "America/New_York": 150,  # 02:30 local: does not exist on the night of 8 March
    "Asia/Kolkata": 45,  # UTC+5:30: local midnight is at :30 in UTC
    "Pacific/Auckland": 120,  # the default
}
# The European changes of 2026 (29 March, 25 October), and each zone's own ones where they differ.
DAYS = [date(2026, 3, 29), date(2026, 10, 25)]
OWN_CHANGES = {"America/New_York": [date(2026, 3, 8), date(2026, 11, 1)],
               "Pacific/Auckland": [date(2026, 4, 5), date(2026, 9, 27)]}  # fmt: skip
CASES = [(zone, day) for zone in GRACE_MINUTES for day in DAYS + OWN_CHANGES.get(zone, [])]


def due_at(period: Period, zone: ZoneInfo, grace: int) -> datetime:
    local_midnight = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=zone)
    return local_midnight.astimezone(UTC) + timedelta(minutes=grace)


@pytest.mark.parametrize(("zone_name", "day"), CASES, ids=[f"{zone}-{day}" for zone, day in CASES])
def test_every_period_closes_once_never_early_and_on_time_across_dst(org_a, zone_name, day):
    organization, zone, grace = org_a.organization, ZoneInfo(zone_name), GRACE_MINUTES[zone_name]
    Organization.objects.filter(pk=organization.pk).update(time_zone=zone_name)
    organization.refresh_from_db()
    QuotaSettings.objects.create(organization=organization, close_grace_minutes=grace)
    first_tick = datetime.combine(day, time(0), tzinfo=UTC) - WINDOW / 2 + TICK_OFFSET
    ticks = [first_tick + BEAT * n for n in range(WINDOW // BEAT)]
    window_end = ticks[-1]

    local_first, local_last = first_tick.astimezone(zone).date(), window_end.astimezone(zone).date()
    with mock.patch.object(timezone, "now", return_value=first_tick - timedelta(days=14)):
        for kind, lines in (("week", {"outbound_calls": 50}), ("day", {"meetings": 1})):
            plan = make_plan(org_a, kind=kind, lines=lines)
            QuotaPlanVersion.objects.filter(plan=plan).update(effective_from=local_first - timedelta(days=14))
    periods_ensure(organization=organization, start=local_first - timedelta(days=7), end=local_last + timedelta(days=7),
                   kinds=["day", "week"])  # fmt: skip
    meetings = org_a.types["meetings"]
    for offset in range(-3, 4):  # something to count in every period
        ActivityEntry.objects.create(organization=organization, rep=org_a.rep, activity_type=meetings, quantity=1,
                                     date=day + timedelta(days=offset), entered_by=org_a.rep.user)  # fmt: skip
    periods = list(Period.objects.filter(organization=organization))
    due = {p.pk: due_at(p, zone, grace) for p in periods}
    # Earlier periods were closed by earlier sweeps (their history is not the subject here).
    Period.objects.filter(pk__in=[pk for pk, when in due.items() if when <= first_tick]).update(
        status=PeriodStatus.CLOSED
    )
    expected = {pk for pk, when in due.items() if first_tick < when <= window_end}
    assert {Period.objects.get(pk=pk).kind for pk in expected} == {"day", "week"}  # both kinds end in the window

    closed_at = {}
    with mock.patch.object(timezone, "now") as clock:
        for tick in ticks:
            clock.return_value = tick
            for period_close in organization_close_due(organization=organization):
                assert period_close.period_id not in closed_at, f"{period_close.period} closed twice"
                closed_at[period_close.period_id] = tick

    assert set(closed_at) == expected, "a due period was missed, or one closed before it was due"
    for pk, tick in closed_at.items():
        assert due[pk] <= tick < due[pk] + ON_TIME, f"{Period.objects.get(pk=pk)}: due {due[pk]}, closed {tick}"
    assert set(Period.objects.filter(pk__in=expected).values_list("status", flat=True)) == {PeriodStatus.CLOSED}
    assert PeriodClose.objects.filter(period__in=expected).count() == len(expected)
    assert PeriodResult.objects.filter(period__in=expected, actual__gt=0).exists()


def make_plan(org, *, kind, lines):
    return quota_plan_create(
        organization=org.organization, actor=org.admin, name=f"{kind} plan", period_kind=kind, scope="organization",
        lines=[LineData(activity_type=org.types[key], target=Decimal(n), topic="") for key, n in lines.items()],
    )  # fmt: skip
