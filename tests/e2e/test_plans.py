"""A manager creates a quota plan in a real browser on a phone: the inline lines, the preview of who gets
what target, publishing, the plan's page with version 1, and the rep's progress showing the new target. No sideways scroll, no serious axe finding."""

import pytest

from quotas.models import QuotaPlan

from ..factories import PASSWORD
from .conftest import LAPTOP, PHONE, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_and_is_accessible(page, name, width):
    screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_accessibility_violations(page) == []


def test_manager_creates_previews_and_publishes_a_weekly_plan_on_a_phone(new_page, org_a):
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.manager.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/plans/")
    page.get_by_role("button", name="New plan").click()

    page.get_by_label("Name", exact=True).fill("Outbound calls 250")
    page.get_by_label("Period", exact=True).select_option(label="Week")
    page.get_by_label("Applies to", exact=True).select_option(label="One team")
    page.get_by_label("Team", exact=True).select_option(label=org_a.team.name)
    page.locator('select[name="lines-0-activity_type"]').select_option(label="Outbound calls")
    page.locator('input[name="lines-0-target"]').fill("250")

    page.get_by_role("button", name="Preview targets").click()
    preview = page.locator("#preview")
    preview.get_by_role("heading", name="Who gets what target").wait_for()
    assert org_a.rep.user.display_name in preview.inner_text()
    assert "250" in preview.locator("tbody").inner_text()
    assert not QuotaPlan.objects.exists()  # a preview saves nothing
    assert_fits_and_is_accessible(page, "plan-preview-phone", PHONE["width"])

    page.get_by_role("button", name="Publish plan").click()
    page.get_by_text("Plan Outbound calls 250 created: version 1 applies from").wait_for()
    plan = QuotaPlan.objects.get(organization=org_a.organization, name="Outbound calls 250")
    version = plan.versions.get()
    assert (plan.scope, plan.team_id, version.number) == ("team", org_a.team.pk, 1)
    assert [(line.activity_type_id, line.target) for line in version.lines.all()] == [(org_a.types["outbound_calls"].pk, 250)]

    history = page.locator("#version-1")
    assert "Version 1" in history.inner_text()
    assert "Outbound calls" in history.inner_text() and "250" in history.inner_text()
    assert_fits_and_is_accessible(page, "plan-detail-phone", PHONE["width"])

    page.goto(f"/o/{org_a.slug}/plans/")
    page.get_by_role("link", name="Outbound calls 250").wait_for()
    assert_fits_and_is_accessible(page, "plan-list-phone", PHONE["width"])

    # The rep of that team sees the new target on their progress page at once (version 1: this period).
    rep = new_page(viewport=PHONE)
    sign_in(rep, org_a.rep.user.email, PASSWORD)
    rep.goto(f"/o/{org_a.slug}/progress/")
    calls = rep.locator(".progress-line", has_text="Outbound calls").first
    calls.wait_for()
    assert "250" in calls.inner_text() and "Outbound calls 250" in calls.inner_text()


def test_add_a_line_works_without_javascript_and_the_edit_page_fits_a_laptop(browser, live_server, new_page, org_a):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, org_a.admin.user.email, PASSWORD)
        page.goto(f"/o/{org_a.slug}/plans/new/")
        page.get_by_label("Name", exact=True).fill("Everyone")
        page.get_by_label("Applies to", exact=True).select_option(label="All reps")
        lines_before = page.locator("fieldset.plan-line").count()
        page.get_by_role("button", name="Add a line").click()
        page.wait_for_load_state()
        assert page.locator("fieldset.plan-line").count() == lines_before + 1
        assert page.get_by_label("Name", exact=True).input_value() == "Everyone"
        page.locator('select[name="lines-0-activity_type"]').select_option(label="Meetings")
        page.locator('input[name="lines-0-target"]').fill("8")
        page.get_by_role("button", name="Publish plan").click()
        page.get_by_text("Plan Everyone created").wait_for()
    finally:
        context.close()

    plan = QuotaPlan.objects.get(name="Everyone")
    laptop = new_page(viewport=LAPTOP)
    sign_in(laptop, org_a.admin.user.email, PASSWORD)
    laptop.goto(f"/o/{org_a.slug}/plans/{plan.pk}/edit/")
    laptop.get_by_role("heading", name="Edit Everyone").wait_for()
    assert_fits_and_is_accessible(laptop, "plan-edit-laptop", LAPTOP["width"])
