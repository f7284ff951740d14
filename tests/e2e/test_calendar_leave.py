"""The calendar and leave pages on a phone: an admin applies Swedish holidays and adds a day off; a rep
requests leave and their manager approves it in place (htmx). No sideways scroll, no serious a11y issue."""

from datetime import date

import pytest

from accounts.models import Organization
from quotas.models import Holiday, Leave, LeaveStatus

from ..factories import PASSWORD
from .conftest import PHONE, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_sets_up_the_calendar_on_a_phone(new_page, org_a):
    Organization.objects.filter(pk=org_a.organization.pk).update(language="sv")
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.admin.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/calendar/")
    year = page.locator("#id_year").input_value()
    assert page.locator("#id_country").input_value() == "SE"
    page.locator("#preset").get_by_role("button").click()
    page.locator(".message-success").wait_for()
    national_day = Holiday.objects.get(organization=org_a.organization, date=date(int(year), 6, 6))
    assert national_day.name == "Nationaldagen"

    page.locator("#id_date").fill(f"{year}-12-28")
    page.locator("#id_name").fill("Kick-off")
    page.locator("#holidays form button[type=submit]").last.click()
    page.locator(".message-success").wait_for()
    assert page.locator("table.holiday-list").get_by_role("cell", name="Kick-off", exact=True).is_visible()
    screenshot(page, "calendar-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []


def test_rep_requests_leave_and_manager_approves_in_place(new_page, org_a):
    rep_page = new_page(viewport=PHONE)
    sign_in(rep_page, org_a.rep.user.email, PASSWORD)
    rep_page.goto(f"/o/{org_a.slug}/leave/")
    rep_page.locator("#id_start").fill("2030-08-05")
    rep_page.locator("#id_end").fill("2030-08-09")
    rep_page.locator("#id_reason").fill("Summer")
    rep_page.locator("#leave-form button[type=submit]").click()
    rep_page.locator(".message-success").wait_for()
    leave = Leave.objects.get(organization=org_a.organization, start=date(2030, 8, 5))
    assert leave.status == LeaveStatus.REQUESTED
    screenshot(rep_page, "leave-rep-phone")
    assert rep_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page = new_page(viewport=PHONE)
    sign_in(page, org_a.manager.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/leave/")
    row = page.locator(f"#leave-{leave.pk}")
    row.get_by_role("button", name="Approve").click()
    page.locator(f"#leave-{leave.pk}").get_by_text("approved.").wait_for()
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == (LeaveStatus.APPROVED, org_a.manager.user)
    screenshot(page, "leave-manager-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []
