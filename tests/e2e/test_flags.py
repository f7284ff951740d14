"""Flags and notifications on a phone: after last week closes, the manager acknowledges a flag in place (htmx),
the rep responds on the flag's page and reads their results summary. No sideways scroll, no serious a11y issue."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from activities.models import ActivityEntry
from quotas.models import Flag, FlagComment, FlagKind, FlagStatus, Period
from quotas.services.close import period_close
from quotas.services.periods import periods_ensure
from quotas.services.plans import LineData, quota_plan_create

from ..factories import PASSWORD
from .conftest import PHONE, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def flagged(org_a, locks_lifted_before_flush):
    """Last week, under a weekly plan (calls 50, meetings 4), the rep made 61 calls and 3 meetings; it closed."""
    organization = org_a.organization
    monday = organization.local_today() - timedelta(days=organization.local_today().weekday() + 7)
    plan = quota_plan_create(
        organization=organization, actor=org_a.admin, name="Weekly activity", period_kind="week", scope="organization",
        lines=[LineData(activity_type=org_a.types["outbound_calls"], target=Decimal(50)),
               LineData(activity_type=org_a.types["meetings"], target=Decimal(4))],
    )  # fmt: skip
    plan.versions.update(effective_from=monday)
    ActivityEntry.objects.filter(organization=organization).delete()
    org_a.rep.employment_start = monday - timedelta(days=365)
    org_a.rep.save(update_fields=["employment_start"])
    for key, quantity in (("outbound_calls", 61), ("meetings", 3)):
        ActivityEntry.objects.create(organization=organization, rep=org_a.rep, activity_type=org_a.types[key],
                                     quantity=quantity, date=monday, entered_by=org_a.rep.user)  # fmt: skip
    periods_ensure(organization=organization, start=monday, end=monday + timedelta(days=6), kinds=["week"])
    period_close(organization=organization, period=Period.objects.get(organization=organization, kind="week",
                                                                     start=monday))  # fmt: skip
    yield Flag.objects.get(rep=org_a.rep, kind=FlagKind.BELOW_MINIMUM)


def test_manager_acknowledges_in_place_and_rep_responds_on_a_phone(new_page, org_a, flagged):
    assert {message.to[0] for message in mail.outbox} >= {"rep@alpha.example", "manager@alpha.example"}
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.manager.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/flags/")
    row = page.locator(f"#flag-{flagged.pk}")
    row.get_by_role("button", name="Acknowledge").click()
    page.locator(f"#flag-{flagged.pk} .field-error").wait_for()  # a comment is required below the minimum
    page.evaluate("window.__same_document = true")
    page.locator(f"#flag-{flagged.pk}-comment").fill("Let's book two extra meetings on Monday.")
    page.locator(f"#flag-{flagged.pk}").get_by_role("button", name="Acknowledge").click()
    page.locator(f"#flag-{flagged.pk}").get_by_text("Acknowledged.").wait_for()
    assert page.evaluate("window.__same_document") is True  # swapped in place, no page load
    flagged.refresh_from_db()
    assert flagged.status == FlagStatus.ACKNOWLEDGED
    screenshot(page, "flags-manager-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []

    rep_page = new_page(viewport=PHONE)
    sign_in(rep_page, org_a.rep.user.email, PASSWORD)
    rep_page.goto(f"/o/{org_a.slug}/flags/?status=all")
    rep_page.locator(f"#flag-{flagged.pk}").get_by_role("link").first.click()
    rep_page.get_by_label("Your comment").fill("Two were cancelled by the client; rebooked.")
    rep_page.get_by_role("button", name="Respond").click()
    rep_page.locator(".message-success").wait_for()
    assert FlagComment.objects.filter(flag=flagged).count() == 2
    screenshot(rep_page, "flag-detail-rep-phone")
    assert rep_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(rep_page) == []

    rep_page.goto(f"/o/{org_a.slug}/notifications/")
    assert "Your results for Week" in rep_page.locator("main").inner_text()
    screenshot(rep_page, "notifications-rep-phone")
    assert rep_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(rep_page) == []
    rep_page.get_by_role("button", name="Mark all read").click()
    rep_page.locator(".message-success").wait_for()
