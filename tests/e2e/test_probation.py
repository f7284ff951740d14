"""HR's probation review in a browser: the list, a rep's report, a decision recorded (extend) and seen in the
history, the PDF downloaded. Laptop and phone screenshots; no serious accessibility issue, no sideways scroll."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import Membership, User
from activities.models import ActivityEntry
from quotas.models import Flag, FlagKind, Period, ProbationDecision
from quotas.services.close import period_close
from quotas.services.flags import flag_acknowledge
from quotas.services.periods import periods_ensure
from quotas.services.plans import LineData, quota_plan_create

from ..factories import PASSWORD, MembershipFactory
from .conftest import LAPTOP, PHONE, open_nav, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_probation(org_a, locks_lifted_before_flush):
    """org_a's rep, Petra, started 6 weeks ago with 60 days of probation left; the probation plan (50 calls,
    4 meetings a week) closed for the last three weeks: met, missed (flagged, commented), exceeded. Rita's
    probation ended 30 days ago."""
    organization, rep = org_a.organization, org_a.rep
    today = organization.local_today()
    this_monday = today - timedelta(days=today.weekday())
    start = this_monday - timedelta(weeks=6)
    User.objects.filter(pk=rep.user_id).update(first_name="Petra", last_name="Prov")
    Membership.objects.filter(pk=rep.pk).update(employment_start=start, probation_end=today + timedelta(days=60))
    ActivityEntry.objects.filter(organization=organization).delete()
    plan = quota_plan_create(
        organization=organization, actor=org_a.admin, name="Probation: weekly activity", period_kind="week",
        scope="probation", lines=[LineData(activity_type=org_a.types["outbound_calls"], target=Decimal(50)),
                                  LineData(activity_type=org_a.types["meetings"], target=Decimal(4))],
    )  # fmt: skip
    plan.versions.update(effective_from=start)
    periods_ensure(organization=organization, start=start, end=this_monday + timedelta(days=6), kinds=["week"])
    weeks = [this_monday - timedelta(weeks=n) for n in (3, 2, 1)]
    for monday, calls in zip(weeks, (55, 20, 64)):
        for key, quantity in (("outbound_calls", calls), ("meetings", 4)):
            ActivityEntry.objects.create(organization=organization, rep=rep, activity_type=org_a.types[key],
                                         quantity=quantity, date=monday + timedelta(days=1),
                                         entered_by=rep.user)  # fmt: skip
        period_close(organization=organization, period=Period.objects.get(organization=organization, kind="week",
                                                                         start=monday))  # fmt: skip
    flag_acknowledge(organization=organization, actor=org_a.manager,
                     flag=Flag.objects.get(rep=rep, kind=FlagKind.BELOW_MINIMUM),
                     comment="Two sick days; we booked extra call blocks for next week.")  # fmt: skip
    MembershipFactory(organization=organization, role="rep", team=org_a.team, user__first_name="Rita",
                      user__last_name="Recent", employment_start=today - timedelta(days=210),
                      probation_end=today - timedelta(days=30))  # fmt: skip
    rep.refresh_from_db()
    return rep


def test_hr_reviews_a_probation_records_an_extension_and_downloads_the_pdf(new_page, org_a, in_probation):
    today = org_a.organization.local_today()
    page = new_page(viewport=LAPTOP)
    sign_in(page, org_a.hr.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/")
    open_nav(page, "Probation")
    page.get_by_role("heading", name="Probation", exact=True).wait_for()
    row = page.locator(f"#probation-{in_probation.pk}")
    assert "60 days left" in row.inner_text() and "2 of 3" in row.inner_text()
    assert "30 days ago" in page.locator("#probation-ended").inner_text()
    screenshot(page, "probation-list-laptop")
    assert serious_accessibility_violations(page) == []

    row.get_by_role("link", name="Petra Prov").click()
    page.get_by_role("heading", name="Petra Prov").wait_for()
    assert "Two sick days" in page.locator("#flags").inner_text()
    assert page.locator("#trend figure.trend-chart").count() == 2

    new_end = today + timedelta(days=120)
    page.get_by_label("Extend the probation").check()
    page.get_by_label("Date").fill(new_end.isoformat())
    page.get_by_label("Notes").fill("Calls recovered after the sick days; meetings need one more month.")
    page.get_by_role("button", name="Record the decision").click()
    page.locator(".message-success").wait_for()
    history = page.locator("ol.probation-decisions").inner_text()
    assert "Extend the probation: until" in history and "meetings need one more month" in history
    assert f"Decided by {org_a.hr.user.display_name}" in history
    decision = ProbationDecision.objects.get()
    assert decision.new_end == new_end
    assert Membership.objects.get(pk=in_probation.pk).probation_end == new_end
    screenshot(page, "probation-report-laptop")
    assert serious_accessibility_violations(page) == []

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert re.fullmatch(r"probation-petra-prov-\d{4}-\d\d-\d\d\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    phone = new_page(viewport=PHONE)
    sign_in(phone, org_a.hr.user.email, PASSWORD)
    phone.goto(f"/o/{org_a.slug}/probation/")
    screenshot(phone, "probation-list-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(phone) == []
    phone.goto(f"/o/{org_a.slug}/probation/{in_probation.pk}/")
    phone.get_by_role("heading", name="Petra Prov").wait_for()
    screenshot(phone, "probation-report-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(phone) == []


def test_a_manager_reads_the_report_without_the_decision_form(new_page, org_a, in_probation):
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.manager.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/probation/{in_probation.pk}/")
    page.get_by_role("heading", name="Petra Prov").wait_for()
    assert page.get_by_role("button", name="Record the decision").count() == 0
    assert "HR records the decision." in page.locator("#decisions").inner_text()
