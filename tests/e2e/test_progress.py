"""Progress on a phone: a plan set through the service, the rep logs on the Today page and the progress bar
of the line goes up in place (htmx); the Progress page shows the same line. Accessible, no sideways scroll."""

from decimal import Decimal

import pytest

from quotas.services.plans import LineData, quota_plan_create

from ..factories import PASSWORD
from .conftest import PHONE, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def calls_progress(page, org):
    return page.locator(f'#progress-week [data-activity-type="{org.types["outbound_calls"].pk}"]')


def read(line):
    actual = int(line.locator(".progress-actual").inner_text().replace(",", ""))
    return actual, int(line.locator("progress").get_attribute("value"))


def test_rep_sees_progress_go_up_after_logging_on_a_phone(new_page, org_a):
    quota_plan_create(
        organization=org_a.organization, actor=org_a.admin, name="Weekly calls", period_kind="week",
        scope="organization", lines=[LineData(activity_type=org_a.types["outbound_calls"], target=Decimal(40)),
                                     LineData(activity_type=org_a.types["revenue"], target=Decimal("250000"))],
        points_target=Decimal(120),
    )  # fmt: skip
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.rep.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/today/")
    line = calls_progress(page, org_a)
    actual_before, bar_before = read(line)
    assert "Target 40" in line.inner_text() and "Weekly calls" in line.inner_text()

    page.evaluate("window.__same_document = true")  # survives an htmx swap, not a page load
    page.locator(f"#type-row-{org_a.types['outbound_calls'].pk}").get_by_role("button", name="+5 Outbound calls").click()
    page.get_by_text("Logged 5 × Outbound calls").wait_for()
    actual_after, bar_after = read(calls_progress(page, org_a))
    assert actual_after == actual_before + 5 and bar_after > bar_before
    assert page.evaluate("window.__same_document") is True
    screenshot(page, "today-progress-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name="All progress").click()
    page.get_by_role("heading", name="My progress").wait_for()
    line = calls_progress(page, org_a)
    assert read(line)[0] == actual_after
    assert line.locator(".status").inner_text() in {"On track", "At risk", "Behind", "Met", "Exceeded"}
    screenshot(page, "progress-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []
