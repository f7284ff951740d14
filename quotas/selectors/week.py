"""The week at a glance: the seven days of the current week (the organization's week start) with what a rep
logged each day, per type; days off (non-working weekdays, holidays, approved leave, outside the employment)
say why. Five queries, whatever was logged.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from activities.models import ActivityEntry, ActivityType

from ..models import PeriodKind
from ..periods import days_between, organization_period_bounds
from .calendar import approved_leave_days, calendar_get


@dataclass(frozen=True)
class DayTotal:
    activity_type: ActivityType
    quantity: Decimal


@dataclass(frozen=True)
class GlanceDay:
    day: date
    is_today: bool
    is_future: bool
    off: str  # why the rep does not work that day ("" on a working day)
    totals: list[DayTotal]  # by the types' order

    @property
    def is_off(self) -> bool:
        return bool(self.off)


def week_at_a_glance(*, organization: Organization, rep: Membership, day: date) -> list[GlanceDay]:
    """The week containing `day` (the organization's today, normally), one entry per date."""
    start, end = organization_period_bounds(organization, kind=PeriodKind.WEEK, day=day)
    calendar = calendar_get(organization=organization, start=start, end=end)
    leave = approved_leave_days(organization=organization, reps=[rep], start=start, end=end).get(rep.pk, set())
    types = {t.pk: t for t in ActivityType.objects.filter(organization=organization).order_by("position", "pk")}
    order = {pk: index for index, pk in enumerate(types)}
    totals: dict[date, list[DayTotal]] = defaultdict(list)
    rows = (
        ActivityEntry.objects.filter(organization=organization, rep=rep, date__range=(start, end))
        .values("date", "activity_type_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for row in sorted(rows, key=lambda row: order[row["activity_type_id"]]):
        totals[row["date"]].append(DayTotal(activity_type=types[row["activity_type_id"]], quantity=row["total"]))
    return [
        GlanceDay(
            day=current,
            is_today=current == day,
            is_future=current > day,
            off=_day_off(calendar=calendar, rep=rep, leave=leave, day=current),
            totals=totals.get(current, []),
        )
        for current in days_between(start, end)
    ]


def _day_off(*, calendar, rep: Membership, leave: set[date], day: date) -> str:
    if day in calendar.holidays:
        return calendar.holidays[day]
    if not calendar.is_scheduled(day):
        return _("Day off")
    if (rep.employment_start and day < rep.employment_start) or (rep.employment_end and day > rep.employment_end):
        return _("Not employed")
    if day in leave:
        return _("Leave")
    return ""
