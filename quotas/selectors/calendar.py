"""Working days: the organization's weekdays and holidays, the reps' approved leave and employment.

Loaded once per page (a fixed number of queries) and then computed in memory for any number of reps.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import holidays
from django.db.models import BigIntegerField, CharField, QuerySet, Value
from django.http import Http404
from holidays.registry import COUNTRIES

from accounts.models import Membership, Organization
from activities.selectors import reps_visible_to

from ..models import Holiday, Leave, LeaveStatus, QuotaSettings
from ..periods import days_between


def quota_settings_get(*, organization: Organization) -> QuotaSettings:
    """The organization's quota settings; defaults (Monday–Friday, 120 %) when none were saved yet.

    No query when they came with the organization: a tenant request loads them with the member
    (settings.ORGANIZATION_REQUEST_RELATED), and a page asks for them several times."""
    try:
        return organization.quota_settings
    except QuotaSettings.DoesNotExist:
        return QuotaSettings(organization=organization)


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


def calendar_get(
    *, organization: Organization, start: date, end: date, settings: QuotaSettings | None = None
) -> Calendar:
    """The calendar of [start, end]; pass `settings` when the caller has already loaded them."""
    settings = settings or quota_settings_get(organization=organization)
    holidays = dict(
        Holiday.objects.filter(organization=organization, date__range=(start, end)).values_list("date", "name")
    )
    return Calendar(weekdays=settings.weekdays, holidays=holidays)


def calendar_and_leave(
    *, organization: Organization, reps, start: date, end: date, settings: QuotaSettings
) -> tuple[Calendar, dict[int, set[date]]]:
    """calendar_get and approved_leave_days in one query (a UNION of the holidays and the approved leave), for
    the close and the progress pages, which need both."""
    holiday_rows = (
        Holiday.objects.filter(organization=organization, date__range=(start, end))
        .order_by()
        .values_list(Value(None, output_field=BigIntegerField()), "date", "date", "name")
    )
    leave_rows = (
        Leave.objects.filter(
            organization=organization, rep__in=reps, status=LeaveStatus.APPROVED, start__lte=end, end__gte=start
        )
        .order_by()
        .values_list("rep_id", "start", "end", Value("", output_field=CharField()))
    )
    holiday_names: dict[date, str] = {}
    leave_days: dict[int, set[date]] = defaultdict(set)
    for rep_id, first, last, name in holiday_rows.union(leave_rows, all=True):
        if rep_id is None:
            holiday_names[first] = name
        else:
            leave_days[rep_id].update(days_between(max(first, start), min(last, end)))
    return Calendar(weekdays=settings.weekdays, holidays=holiday_names), leave_days


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


# Holidays and leave as pages show them -----------------------------------------------------------


def holiday_list(*, organization: Organization, start: date, end: date) -> QuerySet[Holiday]:
    """The organization's holidays (public and company days off) in [start, end], by date."""
    return Holiday.objects.filter(organization=organization, date__range=(start, end)).order_by("date")


def holiday_get(*, organization: Organization, pk: int) -> Holiday:
    try:
        return Holiday.objects.get(organization=organization, pk=pk)
    except Holiday.DoesNotExist:
        raise Http404 from None


def holiday_dates_existing(*, organization: Organization, dates) -> set[date]:
    """Which of these dates already carry a holiday of the organization (one query)."""
    return set(Holiday.objects.filter(organization=organization, date__in=list(dates)).values_list("date", flat=True))


def holiday_preset_countries() -> list[tuple[str, str]]:
    """(ISO code, English name) of every country whose public holidays the `holidays` package knows, by name."""
    return list(_preset_countries())


@cache
def _preset_countries() -> tuple[tuple[str, str], ...]:
    codes = holidays.list_supported_countries(include_aliases=False)
    # The registry names each country's class ("UnitedKingdom"); spaced out, that is the country's name.
    names = {code: _CAMEL_BOUNDARY.sub(" ", class_name) for class_name, code, *_rest in COUNTRIES.values()}
    return tuple(sorted(((code, names.get(code, code)) for code in codes), key=lambda item: item[1]))


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])")


def holiday_preset_default_country(*, organization: Organization) -> str:
    """The country a preset suggests: the one applied before, Sweden for Swedish organizations, else none."""
    applied = quota_settings_get(organization=organization).holiday_country
    if applied:
        return applied
    if organization.time_zone == "Europe/Stockholm" or organization.language == "sv":
        return "SE"
    return ""


def holiday_preset_language(*, country: str, language: str) -> str | None:
    """The `holidays` package's language closest to the organization's ("sv", "en" → "en_US"), or None for the
    country's own default when the package does not translate its names into that language."""
    preset = holidays.country_holidays(country)
    supported = preset.supported_languages
    if language in supported:
        return language
    matching = [code for code in supported if code.split("_")[0] == language]
    if preset.default_language in matching:  # the country's own variant first: en_GB for GB
        return preset.default_language
    return min(matching, default=None)


def holiday_preset(*, country: str, year: int, language: str) -> list[tuple[date, str]]:
    """A country's public holidays in a year, (date, name) by date, names in `language` where translated."""
    calendar = holidays.country_holidays(
        country, years=year, language=holiday_preset_language(country=country, language=language)
    )
    return sorted(calendar.items())


def leave_list(*, organization: Organization, viewer: Membership) -> QuerySet[Leave]:
    """The leave the viewer may read: their own (rep), their teams' reps' (manager), everyone's (HR, admin)."""
    reps = reps_visible_to(organization=organization, viewer=viewer)
    return (
        Leave.objects.filter(organization=organization, rep__in=reps.values("pk"))
        .select_related("rep__user", "rep__team", "requested_by", "decided_by")
        .order_by("-start", "-pk")
    )


def leave_get(*, organization: Organization, viewer: Membership, pk: int) -> Leave:
    """One leave the viewer may read; another organization's, or a rep's outside the viewer's view, is 404."""
    try:
        return leave_list(organization=organization, viewer=viewer).get(pk=pk)
    except Leave.DoesNotExist:
        raise Http404 from None


def leave_overlapping(*, organization: Organization, rep: Membership, start: date, end: date, exclude_pk=None):
    """The rep's requested or approved leave that shares a day with [start, end]."""
    overlapping = Leave.objects.filter(
        organization=organization,
        rep=rep,
        status__in=[LeaveStatus.REQUESTED, LeaveStatus.APPROVED],
        start__lte=end,
        end__gte=start,
    ).order_by("start")
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    return overlapping
