"""Corrections and the periods page on a phone: a rep asks for a correction from a locked entry, their
manager approves it, an admin reopens a week. No sideways scroll, no serious accessibility issue."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from activities.models import ActivityEntry
from quotas.models import Correction, CorrectionStatus, Period, PeriodStatus
from quotas.services.close import organization_close_due
from quotas.services.periods import periods_ensure
from quotas.services.plans import LineData, quota_plan_create

from ..factories import PASSWORD
from ..quotas.conftest import NOW, TODAY
from .conftest import PHONE, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def locked_entry(org_a, locks_lifted_before_flush):
    with mock.patch.object(timezone, "now", return_value=NOW):
        rep = org_a.rep
        rep.employment_start = date(2020, 1, 1)
        rep.save(update_fields=["employment_start"])
        plan = quota_plan_create(
            organization=org_a.organization, actor=org_a.admin, name="Weekly calls", period_kind="week",
            scope="organization", lines=[LineData(activity_type=org_a.types["outbound_calls"], target=Decimal(50))],
        )  # fmt: skip
        plan.versions.update(effective_from=date(2026, 9, 28))
        periods_ensure(organization=org_a.organization, start=date(2026, 9, 28), end=TODAY, kinds=["week"])
        entry = ActivityEntry.objects.create(
            organization=org_a.organization, rep=rep, date=date(2026, 10, 20),
            activity_type=org_a.types["outbound_calls"], quantity=30, entered_by=rep.user,
        )  # fmt: skip
        organization_close_due(organization=org_a.organization, now=NOW)
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield entry


def test_rep_asks_for_a_correction_and_the_manager_approves_it_on_a_phone(new_page, org_a, locked_entry):
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.rep.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/entries/{locked_entry.pk}/")
    screenshot(page, "entry-locked-phone")
    page.get_by_role("button", name="Ask for a correction").click()
    page.locator("#id_quantity").fill("45")
    page.locator("#id_reason").fill("The dialer export missed 15 calls")
    screenshot(page, "correction-form-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Ask for the correction").click()
    page.locator(".message-success").wait_for()
    correction = Correction.objects.get()

    page = new_page(viewport=PHONE)
    sign_in(page, org_a.manager.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/corrections/")
    screenshot(page, "correction-list-manager-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []
    row = page.locator(f"#correction-{correction.pk}")
    row.get_by_label("Comment").fill("Checked against the dialer")
    row.get_by_role("button", name="Approve").click()
    page.locator(".message-success").wait_for()
    correction.refresh_from_db()
    locked_entry.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED and locked_entry.quantity == 45


def test_admin_reopens_a_week_on_a_phone(new_page, org_a, locked_entry):
    week = Period.objects.get(organization=org_a.organization, kind="week", start=date(2026, 10, 19))
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.admin.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/periods/?kind=week")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []
    row = page.locator(f"#period-{week.pk}")
    row.locator("summary").click()
    row.get_by_label("Why reopen it?").fill("Dialer import arrived late")
    row.get_by_role("button", name="Reopen").click()
    page.locator(".message-success").wait_for()
    screenshot(page, "period-list-admin-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    week.refresh_from_db()
    assert week.status == PeriodStatus.OPEN
