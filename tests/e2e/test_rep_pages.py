"""The rep pages in a browser: a manager drills into a rep (trend, conversion, entries, flags), a rep reads
the leaderboard and their own progress (week at a glance, closed results) and responds to a flag from it.
Screenshots at 1280×800 and 390×844; no sideways scroll on a phone, no serious accessibility violation."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Membership
from accounts.roles import Role
from activities.models import ActivityEntry, ActivityType
from quotas.models import Flag, FlagComment, Leave, LeaveStatus, Period, QuotaSettings
from quotas.services.close import period_close
from quotas.services.periods import periods_ensure
from quotas.services.plans import LineData, quota_plan_create

from ..factories import PASSWORD, MembershipFactory
from .conftest import LAPTOP, PHONE, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
VIEWPORTS = {"laptop": LAPTOP, "phone": PHONE}


def plan(org, name, kind, lines, effective_from, points_target=None):
    created = quota_plan_create(
        organization=org.organization, actor=org.admin, name=name, period_kind=kind, scope="organization",
        lines=[LineData(activity_type=org.types[key], target=Decimal(target)) for key, target in lines.items()],
        points_target=points_target,
    )  # fmt: skip
    created.versions.update(effective_from=effective_from)


@pytest.fixture
def history(org_a, locks_lifted_before_flush):
    """Six closed weeks and last month for org_a's rep (Raj) and three teammates, some of this week, a flag with
    the manager's comment, leave next week, and the leaderboard on."""
    organization = org_a.organization
    today = organization.local_today()
    monday = today - timedelta(days=today.weekday())
    last_month_end = today.replace(day=1) - timedelta(days=1)
    last_month = last_month_end.replace(day=1)
    first_week = min(monday - timedelta(weeks=6), last_month - timedelta(days=last_month.weekday()))
    ActivityEntry.objects.filter(organization=organization).delete()
    ActivityType.objects.filter(pk=org_a.types["outbound_calls"].pk).update(points=1)
    ActivityType.objects.filter(pk=org_a.types["meetings"].pk).update(points=5)
    plan(org_a, "Weekly activity", "week", {"outbound_calls": 30, "prospect_emails": 40, "meetings": 3}, first_week,
         points_target=Decimal(60))  # fmt: skip
    plan(org_a, "Monthly opportunities", "month", {"opportunities_created": 25}, last_month)
    Membership.objects.filter(pk=org_a.rep.pk).update(employment_start=date(2020, 1, 1))
    org_a.rep.user.first_name, org_a.rep.user.last_name = "Raj", "Patel"
    org_a.rep.user.save(update_fields=["first_name", "last_name"])
    reps = [org_a.rep] + [
        MembershipFactory(organization=organization, role=Role.REP, team=org_a.team, user__first_name=first,
                          user__last_name=last, employment_start=date(2020, 1, 1))  # fmt: skip
        for first, last in (("Sofia", "Nilsson"), ("Johan", "Larsson"), ("Emma", "Karlsson"))
    ]
    entries, rng = [], random.Random(20261127)  # the same "random" weeks on every run
    day = first_week
    while day < today:
        if day.weekday() < 5:
            for number, rep in enumerate(reps):
                form = rng.uniform(0.4, 1.5) * (1.15 - number * 0.1)  # good days and bad days; Raj the strongest
                for key, rate in (("outbound_calls", 7), ("prospect_emails", 9), ("meetings", 0.8),
                                  ("opportunities_created", 1.2 - number * 0.2)):  # fmt: skip
                    quantity = round(rate * form * rng.uniform(0.5, 1.5))
                    if quantity > 0:
                        entries.append(ActivityEntry(organization=organization, rep=rep, date=day, quantity=quantity,
                                                     activity_type=org_a.types[key], entered_by=rep.user))  # fmt: skip
        day += timedelta(days=1)
    ActivityEntry.objects.bulk_create(entries)
    periods_ensure(organization=organization, start=first_week, end=today, kinds=["week", "month"])
    for period in Period.objects.filter(organization=organization, kind__in=["week", "month"], end__lt=today):
        if period.start >= first_week and (period.kind == "week" or period.start == last_month):
            period_close(organization=organization, period=period)
    flag = Flag.objects.filter(rep=org_a.rep).order_by("-period__end", "-created_at", "-pk").first()  # shown first
    FlagComment.objects.create(organization=organization, flag=flag, author=org_a.manager.user,
                               body="Good week overall. Can we add one more meeting on Thursdays?")  # fmt: skip
    Leave.objects.create(organization=organization, rep=org_a.rep, start=monday + timedelta(days=7),
                         end=monday + timedelta(days=9), reason="Conference", status=LeaveStatus.APPROVED)  # fmt: skip
    QuotaSettings.objects.update_or_create(organization=organization, defaults={"leaderboard_enabled": True})
    return {"flag": flag, "reps": reps}


def assert_fits_and_accessible(page, viewport):
    if viewport == PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_a_manager_drills_into_a_rep(new_page, org_a, history, name):
    viewport = VIEWPORTS[name]
    page = new_page(viewport=viewport)
    sign_in(page, org_a.manager.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/flags/?status=all")
    page.locator(".flag-list").get_by_role("link", name="Raj Patel").first.click()
    page.get_by_role("heading", name="Raj Patel", level=1).wait_for()
    trend = page.locator("#trend")
    assert trend.locator("figure.trend-chart").count() == 4  # calls, e-mails, meetings, points
    closed_weeks = Period.objects.filter(organization=org_a.organization, kind="week", status="closed").count()
    assert trend.locator("figure.trend-chart").first.locator("circle.point").count() == min(closed_weeks, 12) >= 6
    conversion = page.locator("#conversion")
    assert conversion.get_by_role("row", name="Opportunities created").is_visible()
    assert "per 100" in conversion.inner_text().lower() or "Per 100 activities" in conversion.inner_text()
    assert "Good week overall" in page.locator("#flags").inner_text()
    assert "Conference" in page.locator("#leave").inner_text()
    screenshot(page, f"rep-detail-{name}")
    assert_fits_and_accessible(page, viewport)

    # Count only calls as activities: the summary says so and the figure changes.
    before = conversion.locator("tbody tr").first.inner_text()
    conversion.locator("summary").click()
    conversion.get_by_label("Outbound calls").check()
    conversion.get_by_role("button", name="Show").click()
    page.locator("#conversion summary", has_text="Activities counted: Outbound calls").wait_for()
    assert page.locator("#conversion tbody tr").first.inner_text() != before
    page.locator("#trend").get_by_role("link", name="Month").click()
    page.wait_for_url("**kind=month**")
    assert page.locator("#trend figure.trend-chart").count() == 1


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_a_rep_reads_the_leaderboard(new_page, org_a, history, name):
    viewport = VIEWPORTS[name]
    page = new_page(viewport=viewport)
    sign_in(page, org_a.rep.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/")
    link = page.locator(".org-nav").get_by_role("link", name="Leaderboard", exact=True)
    link.click()
    page.get_by_role("heading", name="Leaderboard", level=1).wait_for()
    board = page.locator("table.leaderboard")
    assert board.locator("tbody tr").count() == 4
    mine = board.locator("tr.you")
    assert mine.count() == 1 and "Raj Patel" in mine.inner_text()
    page.get_by_label("Period").select_option(label=page.locator("#id_period option").nth(1).inner_text())
    page.get_by_label("Rank by").select_option("points")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("ranked by points").wait_for()
    assert "closed results" in page.locator(".leaderboard-period").inner_text()
    screenshot(page, f"leaderboard-{name}")
    assert_fits_and_accessible(page, viewport)


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_a_rep_reads_their_progress_and_responds_to_a_flag(new_page, org_a, history, name):
    viewport = VIEWPORTS[name]
    page = new_page(viewport=viewport)
    sign_in(page, org_a.rep.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/progress/")
    page.get_by_role("heading", name="My progress").wait_for()
    strip = page.locator("ol.week-strip > li")
    assert strip.count() == 7 and page.locator("ol.week-strip > li[aria-current='date']").count() == 1
    assert page.locator("ul.streaks li").count() >= 1
    assert page.locator("#closed table").count() == 2  # weeks and months
    assert page.locator("#trend circle.point").count() >= 6
    screenshot(page, f"my-progress-{name}")
    assert_fits_and_accessible(page, viewport)

    flag = page.locator(f"#flag-{history['flag'].pk}")
    flag.locator("summary", has_text="Respond").click()
    flag.get_by_label("Your comment").fill("Yes, I'll book Thursday mornings.")
    flag.get_by_role("button", name="Respond").click()
    page.get_by_text("Comment added.").wait_for()
    assert FlagComment.objects.filter(flag=history["flag"], author=org_a.rep.user).count() == 1
