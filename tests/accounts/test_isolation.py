"""Tenant isolation over every URL under /o/<org_slug>/ (discovered, so new views are covered).

Whatever the role, a member of one organization gets 404 for every page and object of another,
exactly like for something that does not exist; anonymous visitors are sent to sign in.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.mixins import OrganizationMixin
from accounts.models import Invitation, Membership, Team, TeamManager
from activities.models import ActivityEntry, ActivityType, ApiToken, ImportBatch
from quotas.models import (
    Correction,
    Flag,
    FlagComment,
    FlagKind,
    Holiday,
    Leave,
    Notification,
    Period,
    PeriodClose,
    PeriodReopen,
    PeriodStatus,
    ProbationDecision,
    QuotaLine,
    QuotaPlan,
    QuotaPlanVersion,
    QuotaSettings,
)
from quotas.services.plans import LineData, quota_plan_create

from ..tenant_urls import tenant_routes

ROUTES = tenant_routes()

# How to find an object of a given organization for each URL kwarg. A new kwarg fails
# `test_every_tenant_url_kwarg_is_known` until it is added here.
OBJECT_FOR_KWARG = {
    "member_pk": lambda org: org.rep.pk,
    "team_pk": lambda org: org.team.pk,
    "invitation_pk": lambda org: org.invitation.pk,
    "entry_pk": lambda org: org.entry.pk,
    "type_pk": lambda org: org.types["outbound_calls"].pk,
    "batch_pk": lambda org: org.import_batch.pk,
    "token_pk": lambda org: org.token.pk,
    "holiday_pk": lambda org: org.holiday.pk,
    "leave_pk": lambda org: org.leave.pk,
    "plan_pk": lambda org: org.plan.pk,
    "flag_pk": lambda org: org.flag.pk,
    "correction_pk": lambda org: org.correction.pk,
    "period_pk": lambda org: org.correction.period_id,
    "rep_pk": lambda org: org.rep.pk,
}


@pytest.fixture
def world(world):
    """The shared world plus a quota plan in each organization. Only here: the plan services' own tests start
    from organizations without plans (build_organization stays plan-free)."""
    return add_url_objects(world)


def add_url_objects(world):
    """A plan, a flag and a correction in each organization: an object for every URL kwarg (tests/test_security.py
    walks the same URLs)."""
    for org in (world.a, world.b):
        org.plan = quota_plan_create(
            organization=org.organization, actor=org.admin, name="Weekly calls", period_kind="week", scope="team",
            team=org.team, lines=[LineData(activity_type=org.types["outbound_calls"], target=Decimal(250))],
        )  # fmt: skip
        org.flag = _flag(org)
        org.correction = _correction(org)
    return world


def _flag(org):
    """An open flag of the org's rep in a closed week long ago (here, not in build_organization: a closed period
    in every organization would change the world of the period and close tests)."""
    organization = org.organization
    period = Period.objects.create(organization=organization, kind="week", start="2000-03-06", end="2000-03-12",
                                   status=PeriodStatus.CLOSED)  # fmt: skip
    period_close = PeriodClose.objects.create(organization=organization, period=period, number=1)
    return Flag.objects.create(organization=organization, period_close=period_close, period=period, rep=org.rep,
                               kind=FlagKind.BELOW_MINIMUM)  # fmt: skip


def _correction(org):
    """A rep's waiting correction request of the closed week of the flag."""
    return Correction.objects.create(
        organization=org.organization, period=org.flag.period, rep=org.rep, entry=org.entry,
        activity_type=org.entry.activity_type, date=org.entry.date, quantity=4, reason="Missed one",
        requested_by=org.rep.user,
    )  # fmt: skip


def url_for(route, org, objects_from=None):
    objects_from = objects_from or org
    kwargs = {"org_slug": org.slug, **{k: OBJECT_FOR_KWARG[k](objects_from) for k in route.kwargs}}
    return reverse(route.name, kwargs=kwargs)


def snapshot():
    """Everything a tenant view could write, to prove a refused request wrote nothing."""
    return [
        sorted(Membership.objects.values_list("pk", "role", "team_id", "is_active", "probation_end", "employment_end")),
        sorted(Team.objects.values_list("pk", "name", "archived_at")),
        sorted(TeamManager.objects.values_list("team_id", "membership_id")),
        sorted(Invitation.objects.values_list("pk", "email", "expires_at", "revoked_at", "accepted_at")),
        sorted(ActivityEntry.objects.values_list("pk", "rep_id", "date", "activity_type_id", "quantity", "note")),
        sorted(ActivityType.objects.values_list("pk", "name", "position", "archived_at")),
        sorted(ImportBatch.objects.values_list("pk", "committed_at", "entry_count")),
        sorted(ApiToken.objects.values_list("pk", "name", "revoked_at")),
        sorted(Holiday.objects.values_list("pk", "date", "name", "kind")),
        sorted(Leave.objects.values_list("pk", "rep_id", "start", "end", "status")),
        sorted(QuotaSettings.objects.values_list("pk", "working_weekdays", "holiday_country", "exceeded_tier_percent")),
        sorted(QuotaPlan.objects.values_list("pk", "name", "scope", "team_id", "rep_id", "archived_at")),
        sorted(QuotaPlanVersion.objects.values_list("pk", "plan_id", "number", "effective_from", "points_target")),
        sorted(QuotaLine.objects.values_list("pk", "version_id", "activity_type_id", "target", "topic")),
        sorted(Flag.objects.values_list("pk", "status", "acknowledged_by_id", "acknowledged_at")),
        sorted(FlagComment.objects.values_list("pk", "flag_id", "body")),
        sorted(Notification.objects.values_list("pk", "read_at", "emailed_at")),
        sorted(Correction.objects.values_list("pk", "status", "quantity", "decided_by_id", "decision_comment")),
        sorted(Period.objects.values_list("pk", "status", "close_attempts")),
        sorted(PeriodReopen.objects.values_list("pk", "period_id")),
        sorted(ProbationDecision.objects.values_list("pk", "rep_id", "decision", "new_end")),
        sorted(QuotaSettings.objects.values_list("pk", "leaderboard_enabled")),
    ]


def test_tenant_urls_are_discovered():
    assert len(ROUTES) >= 15
    assert {"accounts:organization-home", "accounts:member-update", "accounts:team-archive"} <= {r.name for r in ROUTES}


def test_every_tenant_url_kwarg_is_known():
    unknown = {k for route in ROUTES for k in route.kwargs} - OBJECT_FOR_KWARG.keys()
    assert not unknown, f"Add these URL kwargs to OBJECT_FOR_KWARG: {unknown}"


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_tenant_view_declares_its_least_role(route):
    assert route.view_class is not None and issubclass(route.view_class, OrganizationMixin)
    assert route.view_class.required_role is not None


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_is_sent_to_sign_in(client, world, route, method):
    url = url_for(route, world.a)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("method", ["get", "post"])
def test_owner_of_another_organization_gets_404(client, world, route, method):
    before = snapshot()
    client.force_login(world.b.owner.user)
    response = getattr(client, method)(url_for(route, world.a))
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("route", [r for r in ROUTES if r.kwargs], ids=str)
@pytest.mark.parametrize("method", ["get", "post"])
def test_foreign_object_id_in_url_is_404(client, world, route, method):
    before = snapshot()
    client.force_login(world.a.owner.user)
    response = getattr(client, method)(url_for(route, world.a, objects_from=world.b))
    # A method the view does not handle may be refused (405) instead: that reveals nothing either.
    handles_method = method in route.view_class.http_method_names and hasattr(route.view_class, method)
    assert response.status_code in ((404,) if handles_method else (404, 405))
    assert snapshot() == before


def test_unknown_organization_answers_like_a_foreign_one(client, world):
    client.force_login(world.a.owner.user)
    assert client.get("/o/does-not-exist/").status_code == 404
    assert client.get(f"/o/{world.b.slug}/").status_code == 404


# A foreign id in a form: each form with a choice of the organization's objects.
FOREIGN_POSTS = [
    ("accounts:invitation-list", {}, lambda b: {"email": "new@example.com", "role": "rep", "team": b.team.pk}),
    ("accounts:team-create", {}, lambda b: {"name": "Smugglers", "managers": [b.manager.pk]}),
    ("accounts:team-create", {}, lambda b: {"name": "Smugglers", "reps": [b.rep.pk]}),
    ("accounts:team-update", {"team_pk": "team"}, lambda b: {"name": "Renamed", "reps": [b.rep.pk]}),
    ("accounts:member-update", {"member_pk": "rep"}, lambda b: {"role": "rep", "team": b.team.pk, "fte_percent": 100}),
    (
        "accounts:member-update",
        {"member_pk": "manager"},
        lambda b: {"role": "manager", "managed_teams": [b.team.pk], "fte_percent": 100},
    ),
    (
        "activities:entry-update",
        {"entry_pk": "entry"},
        lambda b: {"activity_type": b.types["meetings"].pk, "date": b.entry.date, "quantity": 1},
    ),
    ("quotas:leave-list", {}, lambda b: {"rep": b.rep.pk, "start": "2026-08-03", "end": "2026-08-07"}),
    (
        "quotas:plan-create",
        {},
        lambda b: {
            "name": "Smuggled", "period_kind": "week", "scope": "team", "team": b.team.pk,
            "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0, "lines-0-activity_type": b.types["meetings"].pk,
            "lines-0-target": 5,
        },  # fmt: skip
    ),
]


@pytest.mark.parametrize(("url_name", "url_objects", "payload"), FOREIGN_POSTS)
def test_foreign_id_in_a_form_is_rejected_and_nothing_is_written(client, world, url_name, url_objects, payload):
    before = snapshot()
    client.force_login(world.a.owner.user)
    kwargs = {"org_slug": world.a.slug, **{k: getattr(world.a, v).pk for k, v in url_objects.items()}}
    response = client.post(reverse(url_name, kwargs=kwargs), payload(world.b))
    assert response.status_code == 200  # the form again, with its error
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before
