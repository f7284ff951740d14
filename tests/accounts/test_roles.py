"""Which role may open which page: an explicit matrix (not derived from the views it checks)."""

import pytest
from django.urls import reverse

from accounts.roles import Role

ROLES = [Role.REP, Role.HR, Role.MANAGER, Role.ADMIN, Role.OWNER]

# page → the roles that may open it (GET); everyone else in the organization gets 403.
PAGES = {
    "accounts:organization-home": set(ROLES),
    "accounts:team-list": {Role.MANAGER, Role.ADMIN, Role.OWNER},
    "accounts:team-detail": {Role.MANAGER, Role.ADMIN, Role.OWNER},
    "accounts:member-list": {Role.MANAGER, Role.ADMIN, Role.OWNER},
    "accounts:team-create": {Role.ADMIN, Role.OWNER},
    "accounts:team-update": {Role.ADMIN, Role.OWNER},
    "accounts:member-update": {Role.ADMIN, Role.OWNER},
    "accounts:invitation-list": {Role.ADMIN, Role.OWNER},
    "accounts:organization-settings": {Role.ADMIN, Role.OWNER},
}
# POST-only actions: only admins and owners.
ACTIONS = [
    "accounts:member-deactivate",
    "accounts:member-reactivate",
    "accounts:invitation-resend",
    "accounts:invitation-revoke",
    "accounts:team-archive",
    "accounts:team-unarchive",
]


def kwargs_for(org, url_name):
    kwargs = {"org_slug": org.slug}
    if url_name.startswith("accounts:team-") and url_name not in ("accounts:team-list", "accounts:team-create"):
        kwargs["team_pk"] = org.team.pk
    if url_name.startswith("accounts:member-") and url_name != "accounts:member-list":
        kwargs["member_pk"] = org.rep.pk
    if url_name.startswith("accounts:invitation-") and url_name != "accounts:invitation-list":
        kwargs["invitation_pk"] = org.invitation.pk
    return kwargs


@pytest.mark.parametrize("url_name", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_page_access_by_role(client, org_a, url_name, role):
    client.force_login(org_a.members[role].user)
    response = client.get(reverse(url_name, kwargs=kwargs_for(org_a, url_name)))
    assert response.status_code == (200 if role in PAGES[url_name] else 403)


@pytest.mark.parametrize("url_name", ACTIONS)
@pytest.mark.parametrize("role", [Role.REP, Role.HR, Role.MANAGER])
def test_actions_are_refused_below_admin(client, org_a, url_name, role):
    client.force_login(org_a.members[role].user)
    response = client.post(reverse(url_name, kwargs=kwargs_for(org_a, url_name)))
    assert response.status_code == 403


def test_navigation_shows_only_what_the_role_may_open(client, org_a):
    client.force_login(org_a.rep.user)
    page = client.get(reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})).content.decode()
    assert "Overview" in page
    assert reverse("accounts:member-list", kwargs={"org_slug": org_a.slug}) not in page
    client.force_login(org_a.admin.user)
    page = client.get(reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})).content.decode()
    assert reverse("accounts:organization-settings", kwargs={"org_slug": org_a.slug}) in page
