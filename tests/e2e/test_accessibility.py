"""An axe-core scan of every main page, as each role of the demo organization sees it (`seed_demo`, then the close
of every due period, as `make run` does): no serious or critical violation anywhere, and no page scrolls sideways.

The pages come from the organization navigation each role is shown (the bar and *More*), plus the detail pages
one reaches from them (a rep, a probation report, a flag, a plan, an entry, a team, a member). Every page is saved
to test-artifacts/ for a human to look at; three of them are the README's screenshots in docs/screenshots/."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD, DEMO_SLUG, demo_email
from accounts.models import Membership, Organization
from activities.models import ActivityEntry, ActivityType
from quotas.models import Flag, QuotaPlan, QuotaSettings

from .conftest import ARTIFACTS, LAPTOP, PHONE, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ORG = f"/o/{DEMO_SLUG}"

# role → (demo first name, viewport, paths that must be among the scanned pages: the test is not vacuous)
ROLES = {
    "rep": ("Raj", PHONE, ["/today/", "/activity/", "/progress/", "/plans/", "/leave/", "/flags/", "/calendar/",
                           "/notifications/", "/leaderboard/", "/corrections/"]),
    "manager": ("Maria", LAPTOP, ["/dashboard/", "/today/", "/activity/", "/progress/", "/plans/", "/leave/",
                                  "/flags/", "/probation/", "/members/", "/teams/", "/import/", "/calendar/"]),
    "hr": ("Hanna", LAPTOP, ["/probation/", "/activity/", "/progress/", "/plans/", "/leave/", "/flags/"]),
    "admin": ("Anders", LAPTOP, ["/overview/", "/dashboard/", "/members/", "/teams/", "/invitations/",
                                 "/settings/", "/periods/", "/activity-types/", "/calendar/"]),
    "owner": ("Ingrid", LAPTOP, ["/settings/", "/overview/"]),
}  # fmt: skip


@pytest.fixture
def demo(locks_lifted_before_flush):
    call_command("seed_demo", stdout=StringIO())
    call_command("close_periods", verbosity=0, stdout=StringIO())
    # The leaderboard is off unless an admin turns it on (Calendar page); on, so that it is scanned too.
    organization = Organization.objects.get(slug=DEMO_SLUG)
    QuotaSettings.objects.update_or_create(organization=organization, defaults={"leaderboard_enabled": True})


def _demo_member(first_name):
    return Membership.objects.select_related("organization").get(
        organization__slug=DEMO_SLUG, user__email=demo_email(first_name)
    )


def detail_pages(role, member):
    """The pages one opens from the lists, picked among what this role may see."""
    raj, sofia = _demo_member("Raj"), _demo_member("Sofia")
    flag = Flag.objects.filter(rep=raj if role == "rep" else sofia).order_by("-pk").first()
    plan = QuotaPlan.objects.filter(organization=member.organization).order_by("pk").first()
    pages = [f"/flags/{flag.pk}/", f"/plans/{plan.pk}/"]
    if role == "hr":
        pages.append("/today/")  # not in HR's navigation (HR logs nothing), but it opens: a heading, a sentence
    if role == "rep":
        entry = ActivityEntry.objects.filter(rep=raj).order_by("-date", "-pk").first()
        pages.append(f"/entries/{entry.pk}/")
    else:
        pages += [f"/reps/{raj.pk}/", f"/probation/{sofia.pk}/"]
    if role in ("admin", "owner"):
        pages += [f"/teams/{raj.team_id}/", f"/members/{raj.pk}/edit/", f"/plans/{plan.pk}/edit/"]
    return pages


def save_for_readme(page, name):
    """The README's images: refreshed only on request (`README_SCREENSHOTS=1 make test`), so that a test run
    leaves the committed files alone; test-artifacts/ always gets a copy."""
    folder = DOCS if os.environ.get("README_SCREENSHOTS") else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png", caret="initial")  # the viewport only: a small, readable image


def scan_as(new_page, role):
    """Every page of one role's navigation and the detail pages: {path: [problems]}, the serious accessibility
    violations and a sideways scroll of the whole page (wide tables scroll inside their .table-wrap)."""
    first_name, viewport, expected = ROLES[role]
    member = _demo_member(first_name)
    page = new_page(viewport=viewport)
    sign_in(page, demo_email(first_name), DEMO_PASSWORD)
    page.goto(f"{ORG}/")
    navigation = page.eval_on_selector_all(".org-nav a", "links => links.map(a => a.getAttribute('href'))")
    shown = list(dict.fromkeys(href.removeprefix(ORG) for href in navigation if href.startswith(f"{ORG}/")))
    assert set(expected) <= set(shown), f"{role} is not shown {set(expected) - set(shown)}"
    assert (role == "hr") is ("/today/" not in shown)
    # The owner sees the admin's pages: only what differs (the settings' owner-only switch) is scanned again.
    paths = expected if role == "owner" else shown + detail_pages(role, member)

    violations = {}
    for path in paths:
        response = page.goto(ORG + path)
        assert response.ok, f"{role}: {path} answered {response.status}"
        page.locator("main h1").first.wait_for()
        screenshot(page, f"a11y-{role}{path.replace('/', '-').rstrip('-')}")
        found = serious_accessibility_violations(page)
        if page.evaluate("document.documentElement.scrollWidth") > viewport["width"]:
            found.append("the page scrolls sideways")
        if found:
            violations[path] = found

        if (role, path) == ("rep", "/today/"):
            # A few taps first (htmx swaps the panel in place): the README shows a day in progress.
            for key, quantity in (("outbound_calls", 5), ("prospect_emails", 1)):
                activity_type = ActivityType.objects.get(organization=member.organization, default_key=key)
                page.locator(f"#log-{activity_type.pk}-{quantity}").click()
                page.locator(".today-status .message-success", has_text=activity_type.name).wait_for()
            save_for_readme(page, "today-phone")
        elif (role, path) == ("manager", "/dashboard/"):
            save_for_readme(page, "dashboard")
        elif role == "hr" and path.startswith("/probation/") and path != "/probation/":
            save_for_readme(page, "probation-report")

    # The scan itself works: an image without a text alternative (critical) on the last page is reported.
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/x.png\">')")
    assert any(v.startswith("image-alt (critical)") for v in serious_accessibility_violations(page))
    return violations


def test_every_main_page_has_no_serious_accessibility_violation_for_any_role(new_page, demo):
    # One seeded organization for all five roles (seeding and closing it takes a while); each role its own browser.
    violations = {(role, path): found for role in ROLES for path, found in scan_as(new_page, role).items()}
    report = [f"{role} {path}: {v}" for (role, path), found in violations.items() for v in found]
    assert violations == {}, "\n".join(report)
