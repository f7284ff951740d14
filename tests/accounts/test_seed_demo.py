"""`python manage.py seed_demo` builds Nordic Advisors, idempotently."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import Membership, Organization, Team
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_builds_the_demo_organization_and_prints_logins():
    output = seed()
    organization = Organization.objects.get(slug="nordic-advisors")
    assert organization.time_zone == "Europe/Stockholm"
    members = Membership.objects.filter(organization=organization)
    counts = {role: members.filter(role=role).count() for role in Role}
    assert counts == {Role.OWNER: 1, Role.ADMIN: 1, Role.MANAGER: 2, Role.HR: 1, Role.REP: 12}
    assert Team.objects.filter(organization=organization).count() == 2
    raj = members.get(user__email="raj@nordic-advisors.example")
    assert raj.team is not None and raj.probation_end is None
    today = organization.local_today()
    assert sum(m.probation_active_on(today) for m in members.filter(role=Role.REP)) == 2
    assert "raj@nordic-advisors.example" in output and "salesquota-demo" in output
    assert authenticate(email="raj@nordic-advisors.example", password="salesquota-demo") is not None


def test_seed_demo_is_idempotent_and_reset_rebuilds():
    seed()
    first_ids = set(Membership.objects.values_list("pk", flat=True))
    seed()
    assert set(Membership.objects.values_list("pk", flat=True)) == first_ids
    seed("--reset")
    assert Membership.objects.count() == len(first_ids)
    assert not set(Membership.objects.values_list("pk", flat=True)) & first_ids


def test_if_empty_leaves_a_database_with_other_organizations_alone():
    Organization.objects.create(name="Real Customer", slug="real")
    seed("--if-empty")
    assert not Organization.objects.filter(slug="nordic-advisors").exists()
