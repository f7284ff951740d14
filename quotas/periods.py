"""Period boundaries in an organization's calendar: pure date arithmetic, no database.

Every boundary is a local date of the organization (its time zone decides what "today" is, elsewhere);
a period is [start, end] with both days included. Weeks start on the organization's week-start day;
quarters and years start from its fiscal-year start month.
"""

from datetime import date, timedelta

from .models import PeriodKind


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def period_bounds(*, kind: str, day: date, week_start: int = 0, fiscal_year_start_month: int = 1) -> tuple[date, date]:
    """The [start, end] of the period of `kind` that contains `day`."""
    if kind == PeriodKind.DAY:
        return day, day
    if kind == PeriodKind.WEEK:
        start = day - timedelta(days=(day.weekday() - week_start) % 7)
        return start, start + timedelta(days=6)
    if kind == PeriodKind.MONTH:
        start = day.replace(day=1)
        return start, _add_months(start, 1) - timedelta(days=1)
    months_per_period = {PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
    months_since_fiscal_start = (day.month - fiscal_year_start_month) % 12
    start = _add_months(day.replace(day=1), -(months_since_fiscal_start % months_per_period))
    return start, _add_months(start, months_per_period) - timedelta(days=1)


def organization_period_bounds(organization, *, kind: str, day: date) -> tuple[date, date]:
    return period_bounds(
        kind=kind,
        day=day,
        week_start=organization.week_start,
        fiscal_year_start_month=organization.fiscal_year_start_month,
    )


def days_between(start: date, end: date):
    """Every date from start to end, both included."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)
