"""A user picks their own language on the account's Language page; the organization's pages follow it."""

import pytest

from accounts.models import Organization

from ..factories import PASSWORD
from .conftest import LAPTOP, PHONE, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("viewport", "name"), [(LAPTOP, "laptop"), (PHONE, "phone")])
def test_user_chooses_swedish_for_an_english_organization(new_page, org_a, viewport, name):
    page = new_page(viewport=viewport)
    sign_in(page, org_a.rep.user.email, PASSWORD)
    page.locator(".user-menu summary").click()
    page.locator(".user-menu").get_by_role("link", name="Language").click()
    page.wait_for_url("**/accounts/language/")
    assert page.get_by_label("Your language").input_value() == ""  # the organization's, by default
    screenshot(page, f"language-{name}")
    assert serious_accessibility_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_label("Your language").select_option("sv")
    page.locator("main").get_by_role("button", name="Save").click()
    page.wait_for_url("**/accounts/language/")
    assert page.locator("html").get_attribute("lang") == "sv"
    page.goto(f"/o/{org_a.slug}/")
    assert page.locator("html").get_attribute("lang") == "sv"  # the organization speaks English
    assert Organization.objects.get(pk=org_a.organization.pk).language == "en"
    screenshot(page, f"language-org-in-swedish-{name}")
