"""Creating an organization, its settings, and switching between organizations."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from accounts.models import Invitation, Membership, Organization
from accounts.roles import Role

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Gamma Group",
    "slug": "gamma",
    "time_zone": "America/New_York",
    "week_start": 6,
    "fiscal_year_start_month": 7,
    "language": "sv",
    "currency": "EUR",
}


def test_creator_becomes_owner(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:organization-create"), VALID)
    assert response.status_code == 302
    organization = Organization.objects.get(slug="gamma")
    assert (organization.time_zone, organization.week_start, organization.fiscal_year_start_month) == (
        "America/New_York",
        6,
        7,
    )
    assert Membership.objects.get(organization=organization, user=user).role == Role.OWNER


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slug": "Has Spaces"}, "Enter a valid"),
        ({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice"),
        ({"week_start": 9}, "Select a valid choice"),
        ({"fiscal_year_start_month": 13}, "Select a valid choice"),
        ({"currency": "XXX"}, "Select a valid choice"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_bad_organization_input_gets_a_message_and_creates_nothing(client, data, message):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:organization-create"), {**VALID, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organization.objects.exists()


def test_slug_taken_by_another_organization(client, org_b):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:organization-create"), {**VALID, "slug": org_b.slug})
    assert "already exists" in response.content.decode()


def test_home_lists_only_my_active_organizations_and_the_switcher_offers_them(client, world):
    user = world.a.rep.user
    MembershipFactory(organization=world.b.organization, user=user, role=Role.MANAGER)
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert "Alpha Advisors" in page and "Beta Brokers" in page
    org_page = client.get(reverse("accounts:organization-home", kwargs={"org_slug": "beta"})).content.decode()
    assert reverse("accounts:organization-home", kwargs={"org_slug": "alpha"}) in org_page
    Membership.objects.filter(user=user, organization=world.b.organization).update(is_active=False)
    assert "Beta Brokers" not in client.get(reverse("home")).content.decode()


def test_anonymous_home_is_the_landing_page(client):
    page = client.get(reverse("home")).content.decode()
    assert reverse("account_signup") in page


def test_tenant_pages_use_the_organizations_language_unless_the_user_chose(client, org_a):
    Organization.objects.filter(pk=org_a.organization.pk).update(language="sv")
    client.force_login(org_a.rep.user)
    url = reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})
    assert client.get(url).headers["Content-Language"] == "sv"
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert client.get(url).headers["Content-Language"] == "en"


def test_pages_show_times_in_the_organizations_zone(client, org_a):
    Organization.objects.filter(pk=org_a.organization.pk).update(time_zone="Pacific/Auckland")
    Invitation.objects.filter(pk=org_a.invitation.pk).update(expires_at=datetime(2030, 1, 10, 20, 0, tzinfo=UTC))
    client.force_login(org_a.owner.user)
    page = client.get(reverse("accounts:invitation-list", kwargs={"org_slug": org_a.slug})).content.decode()
    assert "2030-01-11 09:00" in page  # 20:00 UTC is 09:00 the next morning in Auckland (UTC+13)
