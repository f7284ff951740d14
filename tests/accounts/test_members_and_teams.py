"""Members (roles, employment, deactivation) and teams (create, rename, assign, archive)."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Team, TeamManager
from accounts.roles import Role

from ..factories import MembershipFactory, TeamFactory


def member_url(org, name, member):
    return reverse(f"accounts:member-{name}", kwargs={"org_slug": org.slug, "member_pk": member.pk})


def team_url(org, name, team=None):
    kwargs = {"org_slug": org.slug}
    if team is not None:
        kwargs["team_pk"] = team.pk
    return reverse(f"accounts:team-{name}", kwargs=kwargs)


def test_deactivated_member_loses_access_at_once_and_keeps_their_row(client, org_a):
    client.force_login(org_a.rep.user)
    home = reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})
    assert client.get(home).status_code == 200
    admin_client = client.__class__()
    admin_client.force_login(org_a.admin.user)
    admin_client.post(member_url(org_a, "deactivate", org_a.rep))
    # Same session, next request: gone, answered exactly like a foreign organization.
    assert client.get(home).status_code == 404
    assert org_a.slug not in client.get(reverse("home")).content.decode()
    org_a.rep.refresh_from_db()
    assert not org_a.rep.is_active and org_a.rep.deactivated_at is not None
    assert org_a.rep.team == org_a.team  # history stays


def test_reactivated_member_gets_access_back(client, org_a):
    Membership.objects.filter(pk=org_a.rep.pk).update(is_active=False)
    client.force_login(org_a.admin.user)
    client.post(member_url(org_a, "reactivate", org_a.rep))
    client.force_login(org_a.rep.user)
    assert client.get(reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})).status_code == 200


@pytest.mark.parametrize(
    ("actor", "target", "message"),
    [
        ("owner", "owner", "cannot deactivate yourself"),
        ("admin", "admin", "cannot deactivate yourself"),
        ("admin", "owner", "Only an owner can change another owner"),
    ],
)
def test_deactivation_refusals_change_nothing(client, org_a, actor, target, message):
    client.force_login(org_a.members[actor].user)
    response = client.post(member_url(org_a, "deactivate", org_a.members[target]), follow=True)
    assert message in response.content.decode()
    assert Membership.objects.get(pk=org_a.members[target].pk).is_active


def test_last_owner_cannot_step_down(client, org_a):
    client.force_login(org_a.owner.user)
    response = client.post(member_url(org_a, "update", org_a.owner), {"role": "admin", "fte_percent": 100})
    assert "at least one active owner" in response.content.decode()
    assert Membership.objects.get(pk=org_a.owner.pk).role == Role.OWNER


def test_admin_cannot_make_an_owner(client, org_a):
    client.force_login(org_a.admin.user)
    response = client.post(member_url(org_a, "update", org_a.rep), {"role": "owner", "fte_percent": 100})
    assert response.status_code == 200
    assert Membership.objects.get(pk=org_a.rep.pk).role == Role.REP


def test_admin_records_employment_probation_and_fte(client, org_a):
    client.force_login(org_a.admin.user)
    response = client.post(
        member_url(org_a, "update", org_a.rep),
        {
            "role": "rep",
            "team": org_a.team.pk,
            "employment_start": "2026-09-01",
            "probation_end": "2027-02-28",
            "fte_percent": 80,
        },
    )
    assert response.status_code == 302
    org_a.rep.refresh_from_db()
    assert str(org_a.rep.employment_start) == "2026-09-01"
    assert str(org_a.rep.probation_end) == "2027-02-28"
    assert org_a.rep.fte_percent == 80


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fte_percent": 0}, "greater than or equal to 1"),
        ({"fte_percent": 150}, "less than or equal to 100"),
        ({"employment_start": "2026-09-01", "employment_end": "2026-08-01"}, "cannot end before it starts"),
        ({"employment_start": "2026-09-01", "probation_end": "2026-08-01"}, "cannot end before the employment"),
        ({"probation_end": "2026-08-01"}, "Enter the employment start"),
        ({"employment_start": "yesterday"}, "Enter a valid date"),
    ],
)
def test_bad_member_input_gets_a_message_and_changes_nothing(client, org_a, data, message):
    client.force_login(org_a.admin.user)
    before = Membership.objects.filter(pk=org_a.rep.pk).values().get()
    response = client.post(member_url(org_a, "update", org_a.rep), {"role": "rep", "fte_percent": 100, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Membership.objects.filter(pk=org_a.rep.pk).values().get() == before


def test_role_change_clears_the_team_that_no_longer_fits(client, org_a):
    client.force_login(org_a.admin.user)
    client.post(member_url(org_a, "update", org_a.manager), {"role": "hr", "fte_percent": 100})
    client.post(member_url(org_a, "update", org_a.rep), {"role": "hr", "team": org_a.team.pk, "fte_percent": 100})
    assert not TeamManager.objects.filter(membership=org_a.manager).exists()
    assert Membership.objects.get(pk=org_a.rep.pk).team is None


def test_admin_creates_a_team_with_managers_and_reps(client, org_a):
    other_team = TeamFactory(organization=org_a.organization)
    moved = MembershipFactory(organization=org_a.organization, role=Role.REP, team=other_team)
    client.force_login(org_a.admin.user)
    response = client.post(
        team_url(org_a, "create"),
        {"name": "Enterprise", "managers": [org_a.manager.pk], "reps": [org_a.rep.pk, moved.pk]},
    )
    team = Team.objects.get(organization=org_a.organization, name="Enterprise")
    assert response.status_code == 302
    assert list(team.managers.all()) == [org_a.manager]
    assert set(Membership.objects.filter(team=team)) == {org_a.rep, moved}  # a rep is in one team: moved


def test_team_names_are_unique_per_organization(client, org_a, org_b):
    client.force_login(org_a.admin.user)
    response = client.post(team_url(org_a, "create"), {"name": org_a.team.name.upper()})
    assert "already exists" in response.content.decode()
    # …but another organization may use the same name.
    client.force_login(org_b.admin.user)
    assert client.post(team_url(org_b, "create"), {"name": org_a.team.name}).status_code == 302


def test_rename_team_and_drop_a_rep(client, org_a):
    client.force_login(org_a.admin.user)
    client.post(team_url(org_a, "update", org_a.team), {"name": "Renamed", "managers": [org_a.manager.pk]})
    org_a.team.refresh_from_db()
    assert org_a.team.name == "Renamed"
    assert Membership.objects.get(pk=org_a.rep.pk).team is None


def test_archived_team_leaves_lists_and_choices_and_keeps_history(client, org_a):
    client.force_login(org_a.admin.user)
    client.post(team_url(org_a, "archive", org_a.team))
    org_a.team.refresh_from_db()
    assert org_a.team.is_archived
    assert Membership.objects.get(pk=org_a.rep.pk).team is None
    invite_form = client.get(reverse("accounts:invitation-list", kwargs={"org_slug": org_a.slug}))
    assert f'<option value="{org_a.team.pk}"' not in invite_form.content.decode()
    client.post(team_url(org_a, "unarchive", org_a.team))
    org_a.team.refresh_from_db()
    assert not org_a.team.is_archived


def test_member_list_filters(client, org_a):
    client.force_login(org_a.manager.user)
    url = reverse("accounts:member-list", kwargs={"org_slug": org_a.slug})
    page = client.get(url, {"role": "rep"}).content.decode()
    assert org_a.rep.user.email in page and org_a.hr.user.email not in page
    page = client.get(url, {"team": org_a.team.pk}).content.decode()
    assert org_a.rep.user.email in page and org_a.manager.user.email in page and org_a.hr.user.email not in page
    page = client.get(url, {"q": org_a.hr.user.email[:6]}).content.decode()
    assert org_a.hr.user.email in page and org_a.rep.user.email not in page


def grow(org, reps: int):
    for _ in range(reps):
        MembershipFactory(organization=org.organization, role=Role.REP, team=org.team)
    for _ in range(reps // 5):
        TeamFactory(organization=org.organization)


@pytest.mark.parametrize("url_name", ["accounts:member-list", "accounts:team-list", "accounts:invitation-list"])
def test_query_count_does_not_grow_with_rows(client, org_a, django_assert_num_queries, url_name):
    client.force_login(org_a.owner.user)
    url = reverse(url_name, kwargs={"org_slug": org_a.slug})
    grow(org_a, 5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(org_a, 45)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
