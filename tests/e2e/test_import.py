"""The CSV import on a phone: upload, a preview that fits the screen, a bad file refused, a good one imported."""

from datetime import timedelta
from decimal import Decimal

import pytest

from activities.models import ActivityEntry, Source

from ..factories import PASSWORD
from .conftest import PHONE, open_nav, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_manager_imports_a_csv_on_a_phone(new_page, org_a, tmp_path):
    day = org_a.organization.local_today() - timedelta(days=2)
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.manager.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/")
    open_nav(page, "Import")
    screenshot(page, "import-create-phone")
    assert fits_the_phone(page)
    assert serious_accessibility_violations(page) == []

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "email;date;type;quantity;note;external_id\n"
        f"rep@alpha.example;{day};Outbound calls;12;A long note that must wrap on a small screen;d-1\n"
        f"nobody@alpha.example;{day};Outbound calls;0;;d-2\n",
        encoding="utf-8-sig",
    )
    page.get_by_label("CSV file").set_input_files(bad)
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("unknown sales rep “nobody@alpha.example”").wait_for()
    screenshot(page, "import-preview-errors-phone")
    assert fits_the_phone(page)
    assert serious_accessibility_violations(page) == []
    assert page.get_by_role("button", name="Import").count() == 0

    good = tmp_path / "good.csv"
    good.write_text(
        "email;date;type;quantity;external_id\n"
        f"rep@alpha.example;{day};Outbound calls;12;d-1\n"
        f"rep@alpha.example;{day};Revenue;1 250,50;d-2\n",
        encoding="utf-8-sig",
    )
    page.goto(f"/o/{org_a.slug}/import/")
    page.get_by_label("CSV file").set_input_files(good)
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 2 entries").click()
    page.get_by_text("Imported 2 entries.").wait_for()
    screenshot(page, "import-done-phone")
    assert fits_the_phone(page)
    assert sorted(
        ActivityEntry.objects.filter(organization=org_a.organization, source=Source.IMPORT).values_list(
            "external_id", "quantity"
        )
    ) == [("d-1", Decimal("12")), ("d-2", Decimal("1250.50"))]
