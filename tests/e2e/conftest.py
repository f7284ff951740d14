"""Playwright (Python) driving Debian's chromium against pytest-django's live server.

Never downloads a browser: the system's /usr/bin/chromium is passed as `executable_path`.
Screenshots land in test-artifacts/ (git-ignored) for a human to look at.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI and was not found at {CHROMIUM}")
        pytest.skip("Debian's chromium is not installed here (apt-get install chromium); CI installs and runs these")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in tests are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Pages of fresh browser contexts. Every Content-Security-Policy violation the browser reports on any of them
    (an inline script or style, an eval) fails the test."""
    contexts = []
    csp_violations = []

    def collect(message):
        if "Content Security Policy" in message.text:
            csp_violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    def make(viewport=LAPTOP, timezone_id="Europe/Stockholm", locale="en-GB"):
        context = browser.new_context(
            viewport=viewport, base_url=live_server.url, locale=locale, timezone_id=timezone_id
        )
        context.set_default_timeout(10_000)
        context.on("console", collect)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    # caret="initial": Playwright's default hides the caret by leaving style="" on every input, which htmx's settle
    # then copies onto swapped-in elements — an inline style the Content-Security-Policy reports.
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True, caret="initial")


def serious_accessibility_violations(page):
    """Run the vendored axe-core on the page; return serious and critical violations."""
    # By URL, not inline: the Content-Security-Policy allows scripts from the site itself only.
    page.add_script_tag(url="/static/" + AXE.relative_to(AXE.parents[2]).as_posix())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:").fill(password)
    page.locator("main").get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def open_nav(page, label):
    """Follow an organization navigation link, opening the "More" menu when the link lives there."""
    link = page.locator(".org-nav").get_by_role("link", name=label, exact=True)
    if not link.is_visible():
        page.locator(".org-nav summary", has_text="More").click()
    link.click()
