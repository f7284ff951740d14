"""Period boundaries: weeks from the organization's week start, months, fiscal quarters and years, DST."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from accounts.services import organization_create
from quotas.models import Period, PeriodKind
from quotas.periods import period_bounds
from quotas.selectors.progress import targets_for_period
from quotas.services.close import organization_close_due
from quotas.services.periods import period_get_or_create, periods_ensure, periods_ensure_ahead
from quotas.tasks import ensure_periods_task

from ..factories import UserFactory
from .conftest import TODAY


@pytest.mark.parametrize(
    ("kind", "day", "week_start", "fiscal", "expected"),
    [
        (PeriodKind.DAY, date(2026, 11, 26), 0, 1, (date(2026, 11, 26), date(2026, 11, 26))),
        (PeriodKind.WEEK, date(2026, 11, 26), 0, 1, (date(2026, 11, 23), date(2026, 11, 29))),  # Monday start
        (PeriodKind.WEEK, date(2026, 11, 26), 6, 1, (date(2026, 11, 22), date(2026, 11, 28))),  # Sunday start
        (PeriodKind.WEEK, date(2026, 11, 22), 6, 1, (date(2026, 11, 22), date(2026, 11, 28))),  # on the start day
        (PeriodKind.WEEK, date(2026, 12, 31), 0, 1, (date(2026, 12, 28), date(2027, 1, 3))),  # across the year
        (PeriodKind.MONTH, date(2026, 2, 14), 0, 1, (date(2026, 2, 1), date(2026, 2, 28))),
        (PeriodKind.MONTH, date(2028, 2, 29), 0, 1, (date(2028, 2, 1), date(2028, 2, 29))),  # leap year
        (PeriodKind.QUARTER, date(2026, 11, 26), 0, 1, (date(2026, 10, 1), date(2026, 12, 31))),
        (PeriodKind.QUARTER, date(2026, 11, 26), 0, 7, (date(2026, 10, 1), date(2026, 12, 31))),  # FY July
        (PeriodKind.QUARTER, date(2026, 11, 26), 0, 2, (date(2026, 11, 1), date(2027, 1, 31))),  # FY February
        (PeriodKind.QUARTER, date(2027, 1, 15), 0, 5, (date(2026, 11, 1), date(2027, 1, 31))),  # FY May
        (PeriodKind.YEAR, date(2026, 11, 26), 0, 1, (date(2026, 1, 1), date(2026, 12, 31))),
        (PeriodKind.YEAR, date(2026, 11, 26), 0, 7, (date(2026, 7, 1), date(2027, 6, 30))),
        (PeriodKind.YEAR, date(2026, 3, 1), 0, 7, (date(2025, 7, 1), date(2026, 6, 30))),
    ],
)
def test_period_bounds(kind, day, week_start, fiscal, expected):
    assert period_bounds(kind=kind, day=day, week_start=week_start, fiscal_year_start_month=fiscal) == expected


@pytest.mark.parametrize(
    ("utc_now", "expected_week_start"),
    [
        # Spring forward (2026-03-29 02:00 → 03:00 in Stockholm). 21:59 UTC is still Sunday 23:59 local (CEST).
        (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), date(2026, 3, 23)),
        (datetime(2026, 3, 29, 22, 1, tzinfo=UTC), date(2026, 3, 30)),
        # Fall back (2026-10-25 03:00 → 02:00). 22:59 UTC on Sunday is 23:59 local (CET): still that week.
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), date(2026, 10, 19)),
        (datetime(2026, 10, 25, 23, 1, tzinfo=UTC), date(2026, 10, 26)),
    ],
)
def test_the_current_week_follows_the_organizations_clock_across_dst(org_a, utc_now, expected_week_start):
    with mock.patch.object(timezone, "now", return_value=utc_now):
        period = period_get_or_create(
            organization=org_a.organization, kind=PeriodKind.WEEK, day=org_a.organization.local_today()
        )
    assert period.start == expected_week_start
    assert (period.end - period.start).days == 6


def test_periods_are_created_ahead_once(org_a):
    created = periods_ensure(
        organization=org_a.organization, start=date(2026, 11, 1), end=date(2026, 12, 31),
        kinds=[PeriodKind.WEEK, PeriodKind.MONTH],
    )  # fmt: skip
    weeks = Period.objects.filter(organization=org_a.organization, kind=PeriodKind.WEEK)
    assert weeks.count() == 10  # 2026-10-26 … 2026-12-28
    assert Period.objects.filter(organization=org_a.organization, kind=PeriodKind.MONTH).count() == 2
    assert created == 12
    assert periods_ensure(organization=org_a.organization, start=date(2026, 11, 1), end=date(2026, 12, 31),
                          kinds=[PeriodKind.WEEK, PeriodKind.MONTH]) == 0  # fmt: skip
    assert not Period.objects.filter(organization=org_a.organization, kind=PeriodKind.WEEK).exclude(
        start__week_day=2  # Django: 1 = Sunday, 2 = Monday
    ).exists()


def test_a_new_organization_gets_its_periods_and_the_task_keeps_them_ahead(db, frozen_now):
    organization = organization_create(
        user=UserFactory(), name="Delta", slug="delta", time_zone="Europe/Stockholm", week_start=0,
        fiscal_year_start_month=1, language="en", currency="SEK",
    )  # fmt: skip
    periods = Period.objects.filter(organization=organization)
    assert periods.filter(kind=PeriodKind.WEEK, start=date(2026, 11, 23)).exists()
    assert periods.filter(kind=PeriodKind.YEAR, start=date(2027, 1, 1)).exists()
    assert periods.filter(kind=PeriodKind.DAY).count() >= 400
    count = periods.count()
    ensure_periods_task.delay()
    assert periods.count() == count  # nothing new: already ahead


# Changing the week start or the fiscal year's start ----------------------------------------------------


def settings_post(client, org, **changes):
    organization = org.organization
    data = {name: getattr(organization, name) for name in
            ("name", "slug", "time_zone", "week_start", "fiscal_year_start_month", "language", "currency")}  # fmt: skip
    url = reverse("accounts:organization-settings", kwargs={"org_slug": org.slug})
    return client.post(url, {**data, **changes})


def layout(org, kind):
    periods = Period.objects.filter(organization=org.organization, kind=kind).order_by("start")
    return list(periods.values_list("start", "end"))


def test_a_new_week_start_lays_the_weeks_out_again_without_overlaps(client, org_a, make_plan, frozen_now):
    periods_ensure_ahead(organization=org_a.organization)
    plan = make_plan(org_a, lines={"outbound_calls": 50}, kind="week")  # from this week's Monday, 23 Nov
    monthly = make_plan(org_a, lines={"outbound_calls": 200}, kind="month")
    assert {start.weekday() for start, _end in layout(org_a, "week")} == {0}  # Mondays
    client.force_login(org_a.owner.user)
    assert settings_post(client, org_a, week_start=6).status_code == 302
    weeks = layout(org_a, "week")
    assert {start.weekday() for start, _end in weeks} == {6}  # Sundays, and nothing else
    assert all(end == start + timedelta(days=6) for start, end in weeks)
    assert all(later[0] == earlier[1] + timedelta(days=1) for earlier, later in zip(weeks, weeks[1:]))
    assert weeks[0][0] <= org_a.organization.local_today() - timedelta(days=7) and weeks[-1][1] > TODAY
    # The plan now takes effect on the Sunday that starts its week, so this week still has its target.
    assert plan.versions.get().effective_from == date(2026, 11, 22)
    assert monthly.versions.get().effective_from == date(2026, 11, 1)  # months do not move
    organization = Organization.objects.get(pk=org_a.organization.pk)
    (rep_targets,) = targets_for_period(organization=organization, reps=[org_a.rep], kind="week",
                                        start=date(2026, 11, 22), end=date(2026, 11, 28))  # fmt: skip
    assert [line.target.full for line in rep_targets.lines] == [50]


def test_the_week_start_cannot_change_once_weeks_have_results(client, org_a, make_plan, employed, frozen_now):
    make_plan(org_a, lines={"outbound_calls": 50}, kind="week").versions.update(effective_from=date(2026, 11, 2))
    periods_ensure(organization=org_a.organization, start=date(2026, 11, 2), end=TODAY, kinds=["week"])
    organization_close_due(organization=org_a.organization, now=frozen_now)
    before = layout(org_a, "week")
    client.force_login(org_a.owner.user)
    response = settings_post(client, org_a, week_start=6)
    assert response.status_code == 200
    assert "The week start can no longer change: weeks with results have been closed" in response.content.decode()
    org_a.organization.refresh_from_db()
    assert org_a.organization.week_start == 0 and layout(org_a, "week") == before
    # The fiscal year's start still can: no quarter or year has closed.
    assert settings_post(client, org_a, fiscal_year_start_month=7).status_code == 302
    assert {start.month for start, _end in layout(org_a, "year")} == {7}
