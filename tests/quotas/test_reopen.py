"""An admin's audited reopen of a closed period, the re-close by the next sweep, and the retry of a failed close."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import ActivityEntry
from activities.services.entries import EntryData, entry_update
from activities.services.locks import date_is_locked
from quotas.models import Period, PeriodClose, PeriodReopen, PeriodResult, PeriodStatus
from quotas.services.close import MAX_CLOSE_ATTEMPTS, organization_close_due, periods_due
from quotas.services.corrections import period_reopen, period_retry
from quotas.services.periods import periods_ensure

from .conftest import NOW, TODAY

WEEK = date(2026, 10, 19)  # Mon 19 – Sun 25 October 2026
NEXT_WEEK = WEEK + timedelta(days=7)
OCTOBER = date(2026, 10, 1)


@pytest.fixture
def closed(org_a, make_plan, employed):
    """Weekly (50 calls) and monthly (200 calls) plans, 30 calls on Tue 20 Oct, every due period closed."""
    for kind, target in (("week", 50), ("month", 200)):
        plan = make_plan(org_a, lines={"outbound_calls": target}, kind=kind)
        plan.versions.update(effective_from=date(2026, 9, 28) if kind == "week" else date(2026, 9, 1))
    periods_ensure(organization=org_a.organization, start=date(2026, 9, 28), end=TODAY, kinds=["week", "month"])
    entry = ActivityEntry.objects.create(
        organization=org_a.organization, rep=employed, date=WEEK + timedelta(days=1),
        activity_type=org_a.types["outbound_calls"], quantity=30, entered_by=employed.user,
    )  # fmt: skip
    organization_close_due(organization=org_a.organization, now=NOW)
    return entry


def period(org, kind, start):
    return Period.objects.get(organization=org.organization, kind=kind, start=start)


def current_actual(org, kind, start):
    return [r.actual for r in PeriodResult.objects.filter(period=period(org, kind, start), rep=org.rep,
                                                          period_close__superseded_at__isnull=True)]  # fmt: skip


def test_reopen_unlocks_the_period_and_the_sweep_recloses_it_with_new_results(org_a, closed):
    week = period(org_a, "week", WEEK)
    reopened = period_reopen(
        organization=org_a.organization, actor=org_a.admin, period=week, reason="Dialer import late"
    )
    # The month shares the week's days: its results could change too, so it reopens with it.
    assert [p.pk for p in reopened] == [week.pk, period(org_a, "month", OCTOBER).pk]
    assert {p.status for p in Period.objects.filter(pk__in=[p.pk for p in reopened])} == {PeriodStatus.OPEN}
    audit = PeriodReopen.objects.get(period=week)
    assert (audit.actor, audit.reason) == (org_a.admin.user, "Dialer import late")
    assert "reopened with" in PeriodReopen.objects.get(period=period(org_a, "month", OCTOBER)).reason
    # The week's entries can change; the other weeks of the month stay locked (they are still closed).
    assert not date_is_locked(organization=org_a.organization, day=WEEK)
    assert date_is_locked(organization=org_a.organization, day=NEXT_WEEK)
    assert period(org_a, "week", NEXT_WEEK).status == PeriodStatus.CLOSED
    entry_update(organization=org_a.organization, actor=org_a.rep, entry=closed,
                 data=EntryData(activity_type=closed.activity_type, date=closed.date, quantity=48))  # fmt: skip

    assert week in periods_due(organization=org_a.organization, now=NOW)  # due at once
    organization_close_due(organization=org_a.organization, now=NOW)
    for kind, start in (("week", WEEK), ("month", OCTOBER)):
        reclosed = period(org_a, kind, start)
        assert reclosed.status == PeriodStatus.CLOSED
        closes = list(PeriodClose.objects.filter(period=reclosed).order_by("number"))
        assert [c.superseded_at is not None for c in closes] == [True, False]
        assert PeriodResult.objects.filter(period_close=closes[0], actual=30).exists()  # the replaced ones kept
        assert current_actual(org_a, kind, start) == [48]
    assert PeriodClose.objects.filter(period=period(org_a, "week", NEXT_WEEK)).count() == 1
    assert date_is_locked(organization=org_a.organization, day=WEEK)


def test_reopen_needs_a_reason_an_admin_and_a_closed_period(org_a, closed):
    week = period(org_a, "week", WEEK)
    with pytest.raises(ValidationError, match="Say why the period is reopened"):
        period_reopen(organization=org_a.organization, actor=org_a.admin, period=week, reason="  ")
    with pytest.raises(PermissionDenied):
        period_reopen(organization=org_a.organization, actor=org_a.manager, period=week, reason="Why not")
    this_week = Period.objects.get(organization=org_a.organization, kind="week", start__lte=TODAY, end__gte=TODAY)
    with pytest.raises(ValidationError, match="is not closed: there is nothing to reopen"):
        period_reopen(organization=org_a.organization, actor=org_a.admin, period=this_week, reason="Why not")
    assert not PeriodReopen.objects.exists()
    assert period(org_a, "week", WEEK).status == PeriodStatus.CLOSED
    assert date_is_locked(organization=org_a.organization, day=WEEK)


def test_retry_sends_a_failed_close_back_to_the_sweep(org_a, closed):
    week = period(org_a, "week", NEXT_WEEK + timedelta(days=7))
    Period.objects.filter(pk=week.pk).update(status=PeriodStatus.CLOSE_FAILED, close_attempts=MAX_CLOSE_ATTEMPTS,
                                             last_error="Traceback: disk full")  # fmt: skip
    with pytest.raises(PermissionDenied):
        period_retry(organization=org_a.organization, actor=org_a.manager, period=week)
    period_retry(organization=org_a.organization, actor=org_a.admin, period=week)
    week.refresh_from_db()
    assert (week.status, week.close_attempts) == (PeriodStatus.OPEN, 0)
    with pytest.raises(ValidationError, match="has not failed to close"):
        period_retry(organization=org_a.organization, actor=org_a.admin, period=week)
    organization_close_due(organization=org_a.organization, now=NOW)
    week.refresh_from_db()
    assert week.status == PeriodStatus.CLOSED and week.last_error == ""


# The periods page ---------------------------------------------------------------------------------


def list_url(org, query=""):
    return reverse("quotas:period-list", kwargs={"org_slug": org.slug}) + query


def action_url(org, period_, action):
    return reverse(f"quotas:period-{action}", kwargs={"org_slug": org.slug, "period_pk": period_.pk})


def test_the_periods_page_is_for_admins(client, org_a, closed):
    for member, status in ((org_a.rep, 403), (org_a.hr, 403), (org_a.manager, 403), (org_a.admin, 200),
                           (org_a.owner, 200)):  # fmt: skip
        client.force_login(member.user)
        assert client.get(list_url(org_a)).status_code == status, member.role
    client.force_login(org_a.manager.user)
    assert client.post(action_url(org_a, period(org_a, "week", WEEK), "reopen"), {"reason": "x"}).status_code == 403
    assert period(org_a, "week", WEEK).status == PeriodStatus.CLOSED


def test_the_page_shows_status_closes_and_failures_and_reopens_with_a_reason(client, org_a, closed):
    failed = period(org_a, "week", NEXT_WEEK + timedelta(days=7))
    Period.objects.filter(pk=failed.pk).update(status=PeriodStatus.CLOSE_FAILED, close_attempts=3,
                                               last_error="RuntimeError: disk full")  # fmt: skip
    client.force_login(org_a.admin.user)
    page = client.get(list_url(org_a, "?kind=week")).content.decode()
    assert "<td>Week 19 – 25 Oct 2026</td>" in page  # named as on every other page
    assert "RuntimeError: disk full" in page and "3 failed attempts" in page
    assert action_url(org_a, failed, "retry") in page
    week = period(org_a, "week", WEEK)
    assert action_url(org_a, week, "reopen") in page
    # No reason: refused, nothing changes.
    response = client.post(action_url(org_a, week, "reopen"), {"reason": ""}, follow=True)
    assert "This field is required." in response.content.decode()
    assert period(org_a, "week", WEEK).status == PeriodStatus.CLOSED
    payload = {"reason": "Late import", "next": list_url(org_a, "?kind=week")}
    response = client.post(action_url(org_a, week, "reopen"), payload, follow=True)
    assert response.redirect_chain[-1][0] == list_url(org_a, "?kind=week")
    text = response.content.decode()
    assert "reopened: its entries can change until the next sweep closes it again" in text
    assert "Week 19 – 25 Oct 2026 reopened" in text
    assert "Reopened with it, since they share its days: October 2026." in text
    assert "Late import" in text and "Due" in text
    assert period(org_a, "week", WEEK).status == PeriodStatus.OPEN
    response = client.post(action_url(org_a, failed, "retry"), {"next": "https://evil.example/"})
    assert response.url == list_url(org_a, f"#period-{failed.pk}")  # not elsewhere
    assert period(org_a, "week", failed.start).status == PeriodStatus.OPEN


def page_queries(client, org) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(list_url(org)).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_any_number_of_periods(client, org_a, closed):
    client.force_login(org_a.admin.user)
    few = page_queries(client, org_a)
    periods_ensure(organization=org_a.organization, start=date(2025, 1, 1), end=TODAY, kinds=["day", "week", "month"])
    for week in Period.objects.filter(organization=org_a.organization, kind="week", status=PeriodStatus.CLOSED)[:3]:
        period_reopen(organization=org_a.organization, actor=org_a.admin, period=week, reason="Check")
    assert Period.objects.filter(organization=org_a.organization).count() > 400
    assert page_queries(client, org_a) == few
