"""The admin's activity types page on a phone: add a type, reorder, archive and restore, no sideways scroll."""

import pytest

from activities.models import ActivityType

from ..factories import PASSWORD
from .conftest import PHONE, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_manages_activity_types_on_a_phone(new_page, org_a):
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.admin.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/activity-types/")

    page.get_by_role("button", name="New activity type").click()
    page.get_by_label("Name").fill("Referrals")
    page.get_by_label("Unit").fill("referrals")
    page.get_by_label("Points").fill("2")
    page.get_by_role("button", name="Create activity type").click()
    page.get_by_text("Activity type Referrals created.").wait_for()
    referrals = ActivityType.objects.get(organization=org_a.organization, name="Referrals")

    page.get_by_role("button", name="Move Referrals up").click()
    page.wait_for_load_state()
    rows = page.locator("table.type-list tbody tr")
    names = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    assert names.index("Referrals") == names.index("Demos") - 1

    page.get_by_role("button", name="Archive Referrals").click()
    page.get_by_text("Referrals archived: it no longer shows").wait_for()
    assert page.locator(f"#type-{referrals.pk}").get_attribute("class") == "archived"
    screenshot(page, "activity-types-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []

    page.get_by_role("button", name="Restore Referrals").click()
    page.get_by_text("Referrals restored.").wait_for()
    referrals.refresh_from_db()
    assert not referrals.is_archived
