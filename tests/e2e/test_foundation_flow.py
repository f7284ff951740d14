"""A real browser: sign up, verify, create an organization, build a team, invite a rep who joins on a phone."""

import re

import pytest
from django.core import mail

from accounts.models import Membership
from accounts.roles import Role

from .conftest import PHONE, open_nav, screenshot, serious_accessibility_violations

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-demo-passphrase"


def link_in_last_mail(pattern):
    return re.search(pattern, mail.outbox[-1].body).group(0)


def test_owner_sets_up_an_organization_and_a_rep_joins_from_a_phone(new_page, live_server):
    owner = new_page(timezone_id="Asia/Tokyo")
    owner.goto("/")
    owner.get_by_role("button", name="Create an account").click()
    owner.get_by_label("Email:").fill("owner@gamma.example")
    owner.get_by_label("Password:", exact=True).fill(PASSWORD)
    owner.get_by_label("Password (again):").fill(PASSWORD)
    owner.locator("main").get_by_role("button", name="Sign Up").click()
    owner.get_by_role("heading", name="Verify Your Email Address").wait_for()

    owner.goto(link_in_last_mail(r"http://\S+/accounts/confirm-email/\S+/").split("/", 3)[3].join(["/", ""]))
    owner.get_by_role("button", name="Confirm").click()
    owner.get_by_role("heading", name="My organizations").wait_for()

    owner.get_by_role("button", name="Create an organization").click()
    owner.get_by_label("Name").fill("Gamma Group")
    owner.get_by_label("Address").fill("gamma")
    assert owner.get_by_label("Time zone").input_value() == "Asia/Tokyo"  # the browser's zone by default
    owner.get_by_label("Time zone").select_option("Europe/Stockholm")
    owner.get_by_role("button", name="Create organization").click()
    owner.get_by_role("heading", name="Gamma Group").wait_for()
    screenshot(owner, "organization-home")

    open_nav(owner, "Teams")
    owner.get_by_role("button", name="New team").click()
    owner.get_by_label("Name").fill("Stockholm")
    owner.get_by_role("button", name="Create team").click()
    owner.get_by_role("heading", name="Stockholm").wait_for()

    open_nav(owner, "Invitations")
    owner.get_by_label("E-mail address").fill("rep@gamma.example")
    owner.get_by_label("Role").select_option("rep")
    owner.get_by_label("Team").select_option(label="Stockholm")
    owner.get_by_role("button", name="Send invitation").click()
    owner.get_by_text("Invitation sent to rep@gamma.example").wait_for()
    screenshot(owner, "invitations")
    assert owner.evaluate("document.documentElement.scrollWidth") <= owner.viewport_size["width"]
    assert serious_accessibility_violations(owner) == []

    rep = new_page(viewport=PHONE)
    rep.goto(link_in_last_mail(r"http://\S+/invitations/\S+/").split("/", 3)[3].join(["/", ""]))
    rep.get_by_role("heading", name="Join Gamma Group").wait_for()
    assert serious_accessibility_violations(rep) == []
    rep.get_by_role("button", name="Create account").click()
    assert rep.get_by_label("Email:").input_value() == "rep@gamma.example"
    rep.get_by_label("Password:", exact=True).fill(PASSWORD)
    rep.get_by_label("Password (again):").fill(PASSWORD)
    rep.locator("main").get_by_role("button", name="Sign Up").click()
    rep.get_by_role("button", name="Accept invitation").click()
    rep.get_by_text("Welcome to Gamma Group.").wait_for()
    screenshot(rep, "rep-joined-phone")
    assert rep.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    membership = Membership.objects.get(user__email="rep@gamma.example")
    assert membership.role == Role.REP and membership.team.name == "Stockholm"


@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
)
def test_public_pages_have_no_serious_accessibility_violations(new_page, path):
    page = new_page(viewport=PHONE)
    page.goto(path)
    assert serious_accessibility_violations(page) == []
