"""Working days: the organization's weekdays and holidays, the reps' approved leave and employment.

Loaded once per page (a fixed number of queries) and then computed in memory for any number of reps.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from accounts.models import Membership, Organization

from ..models import Holiday, Leave, LeaveStatus, QuotaSettings
from ..periods import days_between


def quota_settings_get(*, organization: Organization) -> QuotaSettings:
    """The organization's quota settings; defaults (Monday–Friday, 120 %) when none were saved yet."""
    return QuotaSettings.objects.filter(organization=organization).first() or QuotaSettings(organization=organization)


@dataclass(frozen=True)
class Calendar:
    """The organization's working weekdays and holidays within a date range."""

    weekdays: frozenset[int]
    holidays: dict[date, str]

    def is_scheduled(self, day: date) -> bool:
        """A configured working weekday (holidays not removed): the yardstick a full target is set for."""
        return day.weekday() in self.weekdays

    def is_working_day(self, day: date) -> bool:
        return self.is_scheduled(day) and day not in self.holidays


def calendar_get(*, organization: Organization, start: date, end: date) -> Calendar:
    settings = quota_settings_get(organization=organization)
    holidays = dict(
        Holiday.objects.filter(organization=organization, date__range=(start, end)).values_list("date", "name")
    )
    return Calendar(weekdays=settings.weekdays, holidays=holidays)


def approved_leave_days(*, organization: Organization, reps, start: date, end: date) -> dict[int, set[date]]:
    """Per rep id: the days in [start, end] covered by approved leave (one query for all reps)."""
    days: dict[int, set[date]] = defaultdict(set)
    leaves = Leave.objects.filter(
        organization=organization, rep__in=reps, status=LeaveStatus.APPROVED, start__lte=end, end__gte=start
    ).values_list("rep_id", "start", "end")
    for rep_id, leave_start, leave_end in leaves:
        days[rep_id].update(days_between(max(leave_start, start), min(leave_end, end)))
    return days


@dataclass(frozen=True)
class Availability:
    """A rep's working days in a period, and why they differ from the period's scheduled days."""

    scheduled: int  # the period's configured working weekdays
    holidays: int  # scheduled days that are public holidays or company days off
    leave: int  # remaining days on approved leave
    outside_employment: int  # remaining days before the employment start or after its end
    available_days: tuple[date, ...] = field(default=())

    @property
    def available(self) -> int:
        return len(self.available_days)


def availability(*, calendar: Calendar, rep: Membership, leave_days: set[date], start: date, end: date) -> Availability:
    holidays = leave = outside = 0
    available = []
    for day in days_between(start, end):
        if not calendar.is_scheduled(day):
            continue
        if day in calendar.holidays:
            holidays += 1
        elif (rep.employment_start and day < rep.employment_start) or (rep.employment_end and day > rep.employment_end):
            outside += 1
        elif day in leave_days:
            leave += 1
        else:
            available.append(day)
    scheduled = holidays + leave + outside + len(available)
    return Availability(
        scheduled=scheduled, holidays=holidays, leave=leave, outside_employment=outside, available_days=tuple(available)
    )
