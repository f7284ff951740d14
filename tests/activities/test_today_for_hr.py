"""HR reads activity and never logs any: no Today link in HR's navigation, and the page, opened anyway, has a
heading and says why there are no buttons (it used to render an empty <h1>)."""

import pytest
from django.urls import reverse

from accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "shown"), [(Role.REP, True), (Role.MANAGER, True), (Role.ADMIN, True),
                                             (Role.HR, False)])  # fmt: skip
def test_the_today_link_is_shown_to_everyone_who_logs(client, org_a, role, shown):
    client.force_login(org_a.members[role].user)
    page = client.get(reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})).content.decode()
    assert (f'href="{reverse("activities:today", kwargs={"org_slug": org_a.slug})}"' in page) is shown


def test_hr_opening_today_gets_a_heading_and_no_buttons(client, org_a):
    client.force_login(org_a.hr.user)
    page = client.get(reverse("activities:today", kwargs={"org_slug": org_a.slug})).content.decode()
    assert "<h1>Today</h1>" in page
    assert "There is no sales rep you can log activity for." in page
    assert 'class="quick"' not in page
