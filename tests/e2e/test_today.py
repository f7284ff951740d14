"""The Today page in a real browser on a phone: one tap logs and the row updates in place (htmx);
with JavaScript off the same buttons still work."""

import pytest

from activities.models import ActivityEntry

from ..factories import PASSWORD
from .conftest import PHONE, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def calls_row(page, org):
    return page.locator(f"#type-row-{org.types['outbound_calls'].pk}")


def test_rep_logs_with_one_tap_on_a_phone(new_page, org_a):
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.rep.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/today/")
    row = calls_row(page, org_a)
    total_before = int(row.locator(".type-total").inner_text())
    page.evaluate("window.__same_document = true")  # survives an htmx swap, not a page load
    row.get_by_role("button", name="+5 Outbound calls").click()
    page.get_by_text("Logged 5 × Outbound calls").wait_for()
    assert int(calls_row(page, org_a).locator(".type-total").inner_text()) == total_before + 5
    assert page.evaluate("window.__same_document") is True

    # A custom number with a note and a topic.
    row = calls_row(page, org_a)
    row.locator("summary").click()
    row.get_by_label("Quantity").fill("12")
    row.get_by_label("Topic").fill("Retirement planning")
    row.get_by_label("Note").fill("From the webinar list")
    row.get_by_role("button", name="Log Outbound calls").click()
    page.get_by_text("Logged 12 × Outbound calls").wait_for()
    assert int(calls_row(page, org_a).locator(".type-total").inner_text()) == total_before + 17
    entry = ActivityEntry.objects.latest("pk")
    assert (entry.quantity, entry.topic, entry.note) == (12, "retirement planning", "From the webinar list")

    page.locator("#undo-last").click()
    page.get_by_text("Undone: 12 × Outbound calls").wait_for()
    assert int(calls_row(page, org_a).locator(".type-total").inner_text()) == total_before + 5
    screenshot(page, "today-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []


def test_today_works_without_javascript(browser, live_server, org_a):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, org_a.rep.user.email, PASSWORD)
        page.goto(f"/o/{org_a.slug}/today/")
        total_before = int(calls_row(page, org_a).locator(".type-total").inner_text())
        calls_row(page, org_a).get_by_role("button", name="+1 Outbound calls").click()
        page.get_by_text("Logged 1 × Outbound calls").wait_for()
        assert int(calls_row(page, org_a).locator(".type-total").inner_text()) == total_before + 1
    finally:
        context.close()
