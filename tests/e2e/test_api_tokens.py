"""The API page on a phone: create a token, see it once, use it; the API docs render from local files only."""

import pytest

from activities.models import ActivityEntry

from ..factories import PASSWORD
from .conftest import PHONE, open_nav, screenshot, serious_accessibility_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_rep_creates_a_token_on_a_phone_and_pushes_an_entry_with_it(new_page, org_a):
    page = new_page(viewport=PHONE)
    sign_in(page, org_a.rep.user.email, PASSWORD)
    page.goto(f"/o/{org_a.slug}/")
    open_nav(page, "API tokens")
    page.get_by_label("Name").fill("Phone dialer")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Copy it now").input_value()
    assert secret.startswith("sq_")
    screenshot(page, "api-tokens-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_violations(page) == []

    response = page.request.post(
        "/api/v1/entries/",
        headers={"Authorization": f"Bearer {secret}"},
        data={"date": org_a.organization.local_today().isoformat(), "type": "outbound_calls", "quantity": 3},
    )
    assert response.status == 201, response.text()
    assert ActivityEntry.objects.get(pk=response.json()["id"]).source == "api"

    page.goto(f"/o/{org_a.slug}/api-tokens/")
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke Phone dialer").click()
    page.get_by_text("Token “Phone dialer” revoked").wait_for()
    assert page.request.get("/api/v1/entries/", headers={"Authorization": f"Bearer {secret}"}).status == 401


def test_api_docs_render_without_any_outside_request(new_page, live_server):
    page = new_page()
    outside = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))
    page.goto("/api/v1/docs/")
    page.locator(".swagger-ui .opblock-summary-path", has_text="/api/v1/entries/").first.wait_for()
    screenshot(page, "api-docs")
    assert outside == []
