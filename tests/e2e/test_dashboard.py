"""The team dashboard and the organization overview in a browser: a manager signs in and lands on the dashboard,
narrows it to a team, sorts by a line and reads the statuses; last week's frozen results; the admin's overview.
Screenshots at 1280×800 and 390×844; no sideways scroll of the page on a phone; no serious a11y issue."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Membership, TeamManager, User
from accounts.roles import Role
from activities.models import ActivityEntry
from quotas.models import Period
from quotas.services.close import period_close
from quotas.services.periods import periods_ensure
from quotas.services.plans import LineData, quota_plan_create

from ..factories import PASSWORD, MembershipFactory, TeamFactory
from .conftest import LAPTOP, PHONE, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# name, team ("sales" or "outbound"), in probation, (calls, e-mails, meetings) last week, the same this week so far
PEOPLE = [
    ("Anna Andersson", "sales", True, (40, 90, 5), (14, 30, 1)),
    ("Björn Berg", "sales", False, (55, 120, 4), (30, 70, 2)),
    ("Cecilia Carlsson", "sales", False, (68, 130, 6), (42, 95, 3)),
    ("David Dahl", "sales", False, (22, 60, 1), (3, 10, 0)),
    ("Olle Other", "outbound", False, (61, 100, 4), (25, 40, 1)),
    ("Petra Persson", "outbound", False, (48, 101, 3), (9, 33, 1)),
    ("Sven Svensson", "outbound", False, (75, 140, 5), (51, 88, 4)),
]


@pytest.fixture
def teams(org_a, locks_lifted_before_flush):
    """Two teams led by org_a's manager under a weekly plan (50 calls, 100 e-mails, 4 meetings); last week closed."""
    organization = org_a.organization
    today = organization.local_today()
    monday = today - timedelta(days=today.weekday())
    last_monday = monday - timedelta(days=7)
    plan = quota_plan_create(
        organization=organization, actor=org_a.admin, name="Weekly activity", period_kind="week", scope="organization",
        lines=[LineData(activity_type=org_a.types["outbound_calls"], target=Decimal(50)),
               LineData(activity_type=org_a.types["prospect_emails"], target=Decimal(100)),
               LineData(activity_type=org_a.types["meetings"], target=Decimal(4))],
    )  # fmt: skip
    plan.versions.update(effective_from=last_monday - timedelta(days=7))
    ActivityEntry.objects.filter(organization=organization).delete()
    # org_a's own rep left long ago: not measured in these weeks.
    Membership.objects.filter(pk=org_a.rep.pk).update(
        employment_start=date(2020, 1, 1), employment_end=date(2020, 1, 2)
    )
    outbound = TeamFactory(organization=organization, name="Outbound")
    TeamManager.objects.create(organization=organization, team=outbound, membership=org_a.manager)
    keys = ("outbound_calls", "prospect_emails", "meetings")
    reps = {}
    for name, team, probation, last_week, this_week in PEOPLE:
        first, last = name.split(" ")
        rep = MembershipFactory(
            organization=organization, role=Role.REP, team=org_a.team if team == "sales" else outbound,
            user__first_name=first, user__last_name=last, employment_start=last_monday - timedelta(days=200),
            probation_end=today + timedelta(days=60) if probation else None,
        )  # fmt: skip
        reps[name] = rep
        for key, quantity in zip(keys, last_week, strict=True):
            ActivityEntry.objects.create(organization=organization, rep=rep, activity_type=org_a.types[key],
                                         quantity=quantity, date=last_monday, entered_by=rep.user)  # fmt: skip
    periods_ensure(organization=organization, start=last_monday, end=monday + timedelta(days=6), kinds=["week"])
    period_close(organization=organization, period=Period.objects.get(organization=organization, kind="week",
                                                                     start=last_monday))  # fmt: skip
    for name, _team, _probation, _last_week, this_week in PEOPLE:
        for key, quantity in zip(keys, this_week, strict=True):
            if quantity:
                ActivityEntry.objects.create(organization=organization, rep=reps[name], activity_type=org_a.types[key],
                                             quantity=quantity, date=today, entered_by=reps[name].user)  # fmt: skip
    User.objects.filter(pk=org_a.manager.user_id).update(first_name="Maria", last_name="Manager")
    return {"reps": reps, "outbound": outbound}


def rep_names(page) -> list[str]:
    return [name.strip() for name in page.locator(".dashboard-table tbody td.rep-cell a").all_inner_texts()]


def test_manager_lands_on_the_dashboard_filters_sorts_and_reads_statuses(new_page, org_a, teams):
    page = new_page(viewport=LAPTOP)
    sign_in(page, org_a.manager.user.email, PASSWORD)  # a member of one organization: straight to its dashboard
    page.get_by_role("heading", name="Team dashboard").wait_for()
    assert page.locator(".org-nav a[aria-current='page']").inner_text() == "Dashboard"
    assert rep_names(page) == [name for name, *_ in PEOPLE]  # by name; not the rep who left years ago
    # Every line cell says its status in words, beside its colour.
    statuses = page.locator(".dashboard-table tbody .dash-cell .status").all_inner_texts()
    assert len(statuses) == len(PEOPLE) * 3
    assert set(statuses) <= {"On track", "At risk", "Behind", "Met", "Exceeded"}
    screenshot(page, "dashboard-laptop")
    assert serious_accessibility_violations(page) == []

    page.get_by_label("Team").select_option(label="Outbound")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"team="))
    assert rep_names(page) == ["Olle Other", "Petra Persson", "Sven Svensson"]
    page.locator(".dashboard-table thead").get_by_role("link", name="Outbound calls").click()
    page.wait_for_url(re.compile(r"sort=line_0"))
    assert rep_names(page) == ["Petra Persson", "Olle Other", "Sven Svensson"]  # 9, 25, 51 calls of 50
    page.locator(".dashboard-table thead").get_by_role("link", name="Outbound calls").click()
    page.wait_for_url(re.compile(r"sort=-line_0"))
    assert rep_names(page) == ["Sven Svensson", "Olle Other", "Petra Persson"]
    assert "3 reps" in page.locator(".dashboard-table tfoot").inner_text().replace("\xa0", " ")

    # Last week, frozen: the results of the close, the probation badge, a star for exceeding a target.
    page.get_by_label("Team").select_option("")
    page.get_by_label("Which one").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    page.get_by_text("Frozen results of the close").wait_for()
    anna = page.locator(".dashboard-table tbody tr", has_text="Anna Andersson")
    assert "Probation" in anna.inner_text() and "Below minimum" in anna.inner_text()
    cecilia = page.locator(".dashboard-table tbody tr", has_text="Cecilia Carlsson")
    assert "★ Exceeded" in cecilia.inner_text() and "All met" in cecilia.inner_text()
    screenshot(page, "dashboard-closed-laptop")
    assert serious_accessibility_violations(page) == []


def test_the_dashboard_on_a_phone_scrolls_its_table_not_the_page(new_page, org_a, teams):
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.manager.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/dashboard/")
    page.get_by_role("heading", name="Team dashboard").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    wrap = page.locator(".table-wrap.dash-wrap")
    assert wrap.evaluate("element => element.scrollWidth > element.clientWidth")  # the table scrolls inside
    # The rep's name stays in view while the lines scroll past.
    wrap.evaluate("element => { element.scrollLeft = 300; }")
    first = page.locator(".dashboard-table tbody td.rep-cell").first
    assert first.bounding_box()["x"] <= 20
    screenshot(page, "dashboard-phone-scrolled")
    wrap.evaluate("element => { element.scrollLeft = 0; }")
    screenshot(page, "dashboard-phone")
    assert serious_accessibility_violations(page) == []


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_admin_reads_the_organization_overview(new_page, org_a, teams, viewport):
    page = new_page(viewport=viewport)
    sign_in(page, org_a.admin.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/overview/")
    page.get_by_role("heading", name="Team results").wait_for()
    teams_table = page.locator("table.overview-teams")
    assert "Alpha Advisors Sales" in teams_table.inner_text() and "Outbound" in teams_table.inner_text()
    page.get_by_label("Which one").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    page.get_by_text("Reps flagged in this period").wait_for()
    assert "David Dahl" in page.locator("table.overview-flagged").inner_text()
    name = "laptop" if viewport == LAPTOP else "phone"
    screenshot(page, f"overview-{name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert serious_accessibility_violations(page) == []
    teams_table.get_by_role("link", name="Outbound").click()
    page.get_by_role("heading", name="Team dashboard").wait_for()
    assert rep_names(page) == ["Olle Other", "Petra Persson", "Sven Svensson"]
