"""Reps' leave: a rep requests, the manager of their team (or an admin) approves or rejects, or enters leave
directly; only approved leave removes the rep's working days. HR reads everyone's leave."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from quotas.models import Leave, LeaveStatus
from quotas.selectors.calendar import approved_leave_days
from quotas.services.calendar import leave_create

from ..factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.usefixtures("frozen_now")

AUGUST = {"start": "2026-08-03", "end": "2026-08-07", "reason": "Summer"}
AUGUST_DAYS = {date(2026, 8, 3) + timedelta(days=i) for i in range(5)}


def list_url(org):
    return reverse("quotas:leave-list", kwargs={"org_slug": org.slug})


def action_url(org, action, leave):
    return reverse(f"quotas:leave-{action}", kwargs={"org_slug": org.slug, "leave_pk": leave.pk})


def snapshot():
    return sorted(Leave.objects.values_list("pk", "rep_id", "start", "end", "status", "decided_by_id", "decided_at"))


def leave_days(org, rep=None):
    rep = rep or org.rep
    return approved_leave_days(
        organization=org.organization, reps=[rep], start=date(2026, 1, 1), end=date(2026, 12, 31)
    ).get(rep.pk, set())


def request_leave(org, rep=None, start=date(2026, 8, 3), end=date(2026, 8, 7)):
    rep = rep or org.rep
    return leave_create(organization=org.organization, actor=rep, rep=rep, start=start, end=end, reason="Summer")


@pytest.fixture
def other_team(org_a):
    """A second team of org_a, with its own rep, that org_a.manager does not lead."""
    team = TeamFactory(organization=org_a.organization, name="Enterprise")
    rep = MembershipFactory(organization=org_a.organization, role=Role.REP, team=team, user__email="rep2@alpha.example")
    return rep


# The happy paths --------------------------------------------------------------------------------


def test_rep_requests_and_manager_approves(client, org_a):
    client.force_login(org_a.rep.user)
    response = client.post(list_url(org_a), AUGUST)
    assert response.status_code == 302
    leave = Leave.objects.get(organization=org_a.organization, start=date(2026, 8, 3))
    assert (leave.rep, leave.status, leave.requested_by, leave.decided_by) == (
        org_a.rep, LeaveStatus.REQUESTED, org_a.rep.user, None
    )
    assert leave_days(org_a) == set()  # a request removes no days

    client.force_login(org_a.manager.user)
    page = client.get(list_url(org_a)).content.decode()
    assert action_url(org_a, "approve", leave) in page
    response = client.post(action_url(org_a, "approve", leave))
    assert response.status_code == 302
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == (LeaveStatus.APPROVED, org_a.manager.user)
    assert leave.decided_at is not None
    assert leave_days(org_a) == AUGUST_DAYS


def test_manager_rejects(client, org_a):
    leave = request_leave(org_a)
    client.force_login(org_a.manager.user)
    client.post(action_url(org_a, "reject", leave))
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == (LeaveStatus.REJECTED, org_a.manager.user)
    assert leave_days(org_a) == set()


def test_rep_cancels_an_undecided_request(client, org_a):
    leave = request_leave(org_a)
    client.force_login(org_a.rep.user)
    assert action_url(org_a, "cancel", leave) in client.get(list_url(org_a)).content.decode()
    client.post(action_url(org_a, "cancel", leave))
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.CANCELLED
    # The days are free again for a new request.
    assert client.post(list_url(org_a), AUGUST).status_code == 302


def test_rep_cannot_cancel_decided_leave(client, org_a):
    leave = request_leave(org_a)
    Leave.objects.filter(pk=leave.pk).update(status=LeaveStatus.APPROVED)
    before = snapshot()
    client.force_login(org_a.rep.user)
    assert action_url(org_a, "cancel", leave) not in client.get(list_url(org_a)).content.decode()
    response = client.post(action_url(org_a, "cancel", leave), follow=True)
    assert "This leave is already approved; nothing was changed." in response.content.decode()
    assert snapshot() == before


def test_manager_enters_leave_for_a_rep_approved_at_once(client, org_a):
    client.force_login(org_a.manager.user)
    response = client.post(list_url(org_a), {**AUGUST, "rep": org_a.rep.pk})
    assert response.status_code == 302
    leave = Leave.objects.get(organization=org_a.organization, start=date(2026, 8, 3))
    assert (leave.status, leave.requested_by, leave.decided_by) == (
        LeaveStatus.APPROVED, org_a.manager.user, org_a.manager.user
    )
    assert leave_days(org_a) == AUGUST_DAYS


def test_manager_withdraws_approved_leave(client, org_a):
    client.force_login(org_a.manager.user)
    client.post(list_url(org_a), {**AUGUST, "rep": org_a.rep.pk})
    leave = Leave.objects.get(organization=org_a.organization, start=date(2026, 8, 3))
    page = client.get(list_url(org_a)).content.decode()
    assert action_url(org_a, "cancel", leave) in page and action_url(org_a, "approve", leave) not in page
    client.post(action_url(org_a, "cancel", leave))
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.CANCELLED
    assert leave_days(org_a) == set()


def test_admin_enters_and_decides_for_any_team(client, org_a, other_team):
    leave = request_leave(org_a, rep=other_team)
    client.force_login(org_a.admin.user)
    client.post(action_url(org_a, "approve", leave))
    assert Leave.objects.get(pk=leave.pk).status == LeaveStatus.APPROVED
    response = client.post(list_url(org_a), {"rep": other_team.pk, "start": "2026-09-01", "end": "2026-09-01"})
    assert response.status_code == 302
    assert leave_days(org_a, other_team) == AUGUST_DAYS | {date(2026, 9, 1)}


def test_htmx_approve_swaps_the_row_in_place(client, org_a):
    leave = request_leave(org_a)
    client.force_login(org_a.manager.user)
    response = client.post(action_url(org_a, "approve", leave), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="leave-{leave.pk}"')
    assert "Approved" in html and "approved." in html
    assert action_url(org_a, "approve", leave) not in html
    assert Leave.objects.get(pk=leave.pk).status == LeaveStatus.APPROVED


def test_htmx_decision_on_decided_leave_shows_the_refusal_in_the_row(client, org_a):
    leave = request_leave(org_a)
    Leave.objects.filter(pk=leave.pk).update(status=LeaveStatus.REJECTED)
    client.force_login(org_a.manager.user)
    response = client.post(action_url(org_a, "approve", leave), HTTP_HX_REQUEST="true")
    assert "This leave is already rejected; nothing was changed." in response.content.decode()
    assert Leave.objects.get(pk=leave.pk).status == LeaveStatus.REJECTED


# Who may do what --------------------------------------------------------------------------------


def test_rep_cannot_approve_their_own_leave(client, org_a):
    leave = request_leave(org_a)
    before = snapshot()
    client.force_login(org_a.rep.user)
    assert action_url(org_a, "approve", leave) not in client.get(list_url(org_a)).content.decode()
    assert client.post(action_url(org_a, "approve", leave)).status_code == 403
    assert client.post(action_url(org_a, "reject", leave)).status_code == 403
    assert snapshot() == before


def test_manager_is_limited_to_the_reps_of_their_teams(client, org_a, other_team):
    theirs = request_leave(org_a, rep=other_team)
    mine = request_leave(org_a)
    before = snapshot()
    client.force_login(org_a.manager.user)
    response = client.get(list_url(org_a))
    rows = [row["leave"] for row in response.context["pending_rows"]]
    assert rows == [mine, org_a.leave]  # newest first; org_a.leave is the fixture's old request
    assert [r.pk for r in response.context["form"].fields["rep"].queryset] == [org_a.rep.pk]
    assert client.post(action_url(org_a, "approve", theirs)).status_code == 404
    assert client.post(action_url(org_a, "cancel", theirs)).status_code == 404
    response = client.post(list_url(org_a), {"start": "2026-09-01", "end": "2026-09-02", "rep": other_team.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_rep_sees_only_their_own_leave_and_cannot_enter_anothers(client, org_a, other_team):
    request_leave(org_a, rep=other_team)
    mine = request_leave(org_a)
    before = snapshot()
    client.force_login(org_a.rep.user)
    response = client.get(list_url(org_a))
    assert [row["leave"] for row in response.context["pending_rows"]] == [mine, org_a.leave]
    assert other_team.user.display_name not in response.content.decode()
    response = client.post(list_url(org_a), {"start": "2026-09-01", "end": "2026-09-02", "rep": other_team.pk})
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_hr_reads_everyones_leave_and_changes_nothing(client, org_a, other_team):
    theirs = request_leave(org_a, rep=other_team)
    mine = request_leave(org_a)
    before = snapshot()
    client.force_login(org_a.hr.user)
    response = client.get(list_url(org_a))
    assert {row["leave"] for row in response.context["pending_rows"]} == {theirs, mine, org_a.leave}
    assert "form" not in response.context
    assert "/approve/" not in response.content.decode()
    assert client.post(list_url(org_a), {**AUGUST, "rep": org_a.rep.pk}).status_code == 403
    for action in ("approve", "reject", "cancel"):
        assert client.post(action_url(org_a, action, mine)).status_code == 403
    assert snapshot() == before


def test_another_organizations_leave_is_404(client, world):
    leave = request_leave(world.b)
    before = snapshot()
    client.force_login(world.a.owner.user)
    for action in ("approve", "reject", "cancel"):
        assert client.post(action_url(world.a, action, leave)).status_code == 404
    assert leave not in [row["leave"] for row in client.get(list_url(world.a)).context["pending_rows"]]
    response = client.post(list_url(world.a), {**AUGUST, "rep": world.b.rep.pk})
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


# Bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"start": "2026-08-07", "end": "2026-08-03"}, "The last day cannot be before the first day."),
        ({"start": "2026-01-01", "end": "2027-01-02"}, "Leave can be at most 366 days long."),
        ({"start": "9999-12-30", "end": "9999-12-31"}, "Enter a date between 1 Jan 2000 and 31 Dec 2099."),
        ({"start": "", "end": "2026-08-03"}, "This field is required."),
        ({"start": "2026-02-30", "end": "2026-03-03"}, "Enter a valid date."),
        ({"start": "2026-08-03", "end": "2026-08-04", "reason": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_leave_is_refused_with_a_message_and_nothing_saved(client, org_a, payload, message):
    before = snapshot()
    client.force_login(org_a.rep.user)
    response = client.post(list_url(org_a), payload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_year_of_leave_is_allowed(org_a):
    leave = request_leave(org_a, start=date(2027, 1, 1), end=date(2027, 12, 31))
    assert leave.status == LeaveStatus.REQUESTED


@pytest.mark.parametrize("existing_status", [LeaveStatus.REQUESTED, LeaveStatus.APPROVED])
def test_overlapping_leave_is_refused(client, org_a, existing_status):
    leave = request_leave(org_a)
    Leave.objects.filter(pk=leave.pk).update(status=existing_status)
    before = snapshot()
    client.force_login(org_a.manager.user)
    response = client.post(list_url(org_a), {"rep": org_a.rep.pk, "start": "2026-08-07", "end": "2026-08-10"})
    assert response.status_code == 200
    assert f"already has {existing_status.label.lower()} leave from" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("existing_status", [LeaveStatus.REJECTED, LeaveStatus.CANCELLED])
def test_rejected_or_cancelled_leave_does_not_block_new_leave(client, org_a, existing_status):
    leave = request_leave(org_a)
    Leave.objects.filter(pk=leave.pk).update(status=existing_status)
    client.force_login(org_a.rep.user)
    assert client.post(list_url(org_a), AUGUST).status_code == 302


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_deciding_an_already_decided_request_is_refused(client, org_a, action):
    leave = request_leave(org_a)
    client.force_login(org_a.manager.user)
    client.post(action_url(org_a, "approve", leave))
    before = snapshot()
    response = client.post(action_url(org_a, action, leave), follow=True)
    assert "This leave is already approved; nothing was changed." in response.content.decode()
    assert snapshot() == before


# Query counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["rep", "manager", "admin", "hr"])
def test_leave_page_query_count_does_not_grow_with_rows(client, org_a, role):
    client.force_login(getattr(org_a, role).user)

    def count_queries(rows):
        Leave.objects.filter(organization=org_a.organization).delete()
        statuses = [LeaveStatus.REQUESTED, LeaveStatus.APPROVED, LeaveStatus.REJECTED, LeaveStatus.CANCELLED]
        Leave.objects.bulk_create(
            Leave(
                organization=org_a.organization,
                rep=org_a.rep,
                start=date(2020, 1, 1) + timedelta(days=3 * i),
                end=date(2020, 1, 2) + timedelta(days=3 * i),
                status=statuses[i % 4],
                requested_by=org_a.rep.user,
                decided_by=org_a.manager.user if i % 4 else None,
            )
            for i in range(rows)
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(list_url(org_a))
        assert len(response.context["pending_rows"]) + len(response.context["rows"]) == rows
        return len(queries)

    assert count_queries(5) == count_queries(50)
