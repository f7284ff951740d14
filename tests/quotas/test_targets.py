"""Pro-rating: target × available / scheduled working days × FTE, rounded up, with its explanation."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Membership
from quotas.selectors.calendar import Calendar, availability
from quotas.targets import effective_target

MONDAY = date(2026, 11, 23)
SUNDAY = date(2026, 11, 29)
WEEKDAYS = frozenset(range(5))


def rep(**fields):
    return Membership(fte_percent=fields.pop("fte_percent", 100), **fields)


def target_for(member, *, target="250", holidays=(), leave=(), money=False, start=MONDAY, end=SUNDAY):
    calendar = Calendar(weekdays=WEEKDAYS, holidays={day: "Holiday" for day in holidays})
    days = availability(calendar=calendar, rep=member, leave_days=set(leave), start=start, end=end)
    return effective_target(target=Decimal(target), availability=days, fte_percent=member.fte_percent, money=money)


def test_full_week_full_time_keeps_the_target():
    result = target_for(rep())
    assert (result.value, result.explanation) == (Decimal(250), "250")


def test_a_holiday_leaves_four_days_worth():
    result = target_for(rep(), holidays=[date(2026, 11, 27)])
    assert result.value == 200
    assert result.explanation == "250 → 200: 1 holiday"


def test_leave_and_part_time_combine():
    result = target_for(rep(fte_percent=80), leave=[date(2026, 11, 24), date(2026, 11, 25)])
    assert result.value == 120  # 250 × 3/5 × 0.8
    assert result.explanation == "250 → 120: 2 days of leave, 80 % FTE"


def test_weekend_leave_changes_nothing():
    assert target_for(rep(), leave=[date(2026, 11, 28), SUNDAY]).value == 250


@pytest.mark.parametrize(
    ("fields", "expected", "reason"),
    [
        ({"employment_start": date(2026, 11, 25)}, 150, "2 days outside the employment"),
        ({"employment_end": date(2026, 11, 23)}, 50, "4 days outside the employment"),
    ],
)
def test_mid_period_start_or_end(fields, expected, reason):
    result = target_for(rep(**fields))
    assert result.value == expected
    assert reason in result.explanation


def test_counts_round_up_to_whole_units_and_money_to_the_cent():
    assert target_for(rep(), target="10", leave=[date(2026, 11, 23), date(2026, 11, 24)]).value == 6  # 6.0
    assert target_for(rep(), target="7", leave=[date(2026, 11, 23), date(2026, 11, 24)]).value == 5  # 4.2 → 5
    money = target_for(rep(), target="1000.00", money=True, leave=[date(2026, 11, 23), date(2026, 11, 24)])
    assert money.value == Decimal("600.00")
    money = target_for(rep(), target="1000.00", money=True, holidays=[date(2026, 11, 23)], leave=[date(2026, 11, 24)])
    assert money.value == Decimal("600.00")
    thirds = target_for(rep(fte_percent=33), target="1000.00", money=True)
    assert thirds.value == Decimal("330.00")


def test_no_available_day_means_no_target():
    result = target_for(rep(), leave=[date(2026, 11, d) for d in range(23, 28)])
    assert result.value is None
    assert "No target" in result.explanation


def test_a_period_without_working_days_has_no_target():
    saturday = date(2026, 11, 28)
    assert target_for(rep(), start=saturday, end=saturday).value is None
