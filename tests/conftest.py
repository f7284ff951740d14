"""Shared fixtures: a world of two organizations, each with one member of every role."""

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from accounts.roles import Role
from activities.models import EntryLock
from activities.services.tokens import api_token_create
from activities.services.types import activity_types_create_defaults
from quotas.services.calendar import holiday_create, leave_create

from .factories import (
    ActivityEntryFactory,
    ImportBatchFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
)

# The SQLite test database is a file under var/ (see settings.test); var/ is not in git.
(Path(__file__).resolve().parent.parent / "var").mkdir(exist_ok=True)


def build_organization(name: str, slug: str) -> SimpleNamespace:
    organization = OrganizationFactory(name=name, slug=slug)
    team = TeamFactory(organization=organization, name=f"{name} Sales")
    members = {
        role: MembershipFactory(organization=organization, role=role, user__email=f"{role}@{slug}.example")
        for role in (Role.OWNER, Role.ADMIN, Role.HR)
    }
    members[Role.MANAGER] = MembershipFactory(
        organization=organization, role=Role.MANAGER, user__email=f"manager@{slug}.example", leads=[team]
    )
    members[Role.REP] = MembershipFactory(
        organization=organization, role=Role.REP, team=team, user__email=f"rep@{slug}.example"
    )
    invitation = InvitationFactory(organization=organization, team=team, email=f"invitee@{slug}.example")
    types = {t.default_key: t for t in activity_types_create_defaults(organization=organization)}
    entry = ActivityEntryFactory(rep=members[Role.REP], activity_type=types["outbound_calls"], quantity=3)
    import_batch = ImportBatchFactory(uploaded_by=members[Role.MANAGER])
    token, _secret = api_token_create(organization=organization, membership=members[Role.REP], name="Dialer")
    # Far in the past (a Saturday; a request, not approved), so that they change no one's working days.
    holiday = holiday_create(
        organization=organization, actor=members[Role.ADMIN], day=date(2001, 12, 29), name="Founders"
    )
    leave = leave_create(
        organization=organization, actor=members[Role.REP], rep=members[Role.REP],
        start=date(2001, 7, 2), end=date(2001, 7, 6), reason="Sailing",
    )  # fmt: skip
    return SimpleNamespace(
        organization=organization,
        types=types,
        entry=entry,
        import_batch=import_batch,
        token=token,
        holiday=holiday,
        leave=leave,
        slug=slug,
        team=team,
        members=members,
        invitation=invitation,
        **{role.value: membership for role, membership in members.items()},
    )


@pytest.fixture
def org_a(db):
    return build_organization("Alpha Advisors", "alpha")


@pytest.fixture
def org_b(db):
    return build_organization("Beta Brokers", "beta")


@pytest.fixture
def world(org_a, org_b):
    """Two organizations that must never see each other."""
    return SimpleNamespace(a=org_a, b=org_b)


@pytest.fixture(autouse=True)
def _empty_cache():
    """allauth's rate limits live in the cache: start every test with none used."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def locks_lifted_before_flush(transactional_db):
    """For transactional tests that lock entries (closes): the database is emptied after them by deleting
    rows, which the lock trigger refuses for locked dates — so lift every lock first. Depending on
    transactional_db makes this teardown run before that flush."""
    yield
    EntryLock.objects.all().delete()
