"""An entry's page: its audit trail, editing and deleting while its period is open."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import Membership
from accounts.roles import Role
from activities.models import ActivityEntry
from activities.services.entries import EntryData, entry_log, entry_update
from activities.services.locks import entries_lock

from ..factories import MembershipFactory


@pytest.fixture
def entry(org_a):
    Membership.objects.filter(pk=org_a.rep.pk).update(employment_start=date(2020, 1, 1))
    org_a.rep.refresh_from_db()
    data = EntryData(activity_type=org_a.types["outbound_calls"], date=org_a.organization.local_today(), quantity=3)
    return entry_log(organization=org_a.organization, actor=org_a.rep, rep=org_a.rep, data=data)


def url(org, name, entry):
    return reverse(f"activities:entry-{name}", kwargs={"org_slug": org.slug, "entry_pk": entry.pk})


def edit_payload(org, entry, **changes):
    return {
        "activity_type": entry.activity_type.pk,
        "date": entry.date.isoformat(),
        "quantity": "4",
        "note": "",
        "topic": "",
        "contact": "",
        **changes,
    }


def test_rep_edits_own_entry_and_the_history_shows_old_and_new(client, org_a, entry):
    client.force_login(org_a.rep.user)
    response = client.post(url(org_a, "update", entry), edit_payload(org_a, entry, quantity="8", note="Recounted"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.quantity == 8
    page = client.get(url(org_a, "detail", entry)).content.decode()
    assert "Created" in page and "Changed" in page
    assert "<del>3.00</del>" in page and "<ins>8.00</ins>" in page
    assert org_a.rep.user.display_name in page


def test_manager_correction_is_audited_with_the_managers_name(client, org_a, entry):
    client.force_login(org_a.manager.user)
    client.post(url(org_a, "update", entry), edit_payload(org_a, entry, quantity="2"))
    record = entry.history.latest("history_date")
    assert (record.history_type, record.history_user, record.quantity) == ("~", org_a.manager.user, 2)


def test_delete_removes_the_entry_and_keeps_the_trail(client, org_a, entry):
    client.force_login(org_a.rep.user)
    client.post(url(org_a, "delete", entry))
    assert not ActivityEntry.objects.filter(pk=entry.pk).exists()
    assert ActivityEntry.history.filter(id=entry.pk, history_type="-").exists()


def test_locked_entry_is_read_only_with_a_clear_message(client, org_a, entry):
    entries_lock(organization=org_a.organization, start=entry.date, end=entry.date)
    client.force_login(org_a.rep.user)
    page = client.get(url(org_a, "detail", entry)).content.decode()
    assert "closed period" in page and url(org_a, "update", entry) not in page
    response = client.post(url(org_a, "update", entry), edit_payload(org_a, entry, quantity="9"))
    assert "closed period" in response.content.decode()
    response = client.post(url(org_a, "delete", entry), follow=True)
    assert "closed period" in response.content.decode()
    entry.refresh_from_db()
    assert entry.quantity == 3


def test_moving_an_entry_into_a_closed_day_is_refused(org_a, entry):
    closed = entry.date - timedelta(days=5)
    entries_lock(organization=org_a.organization, start=closed, end=closed)
    data = EntryData(activity_type=entry.activity_type, date=closed, quantity=3)
    with pytest.raises(Exception, match="closed period"):
        entry_update(organization=org_a.organization, actor=org_a.rep, entry=entry, data=data)
    assert ActivityEntry.objects.get(pk=entry.pk).date == entry.date


def test_bad_edit_gets_a_message_and_changes_nothing(client, org_a, entry):
    client.force_login(org_a.rep.user)
    future = (org_a.organization.local_today() + timedelta(days=1)).isoformat()
    for payload, message in [({"quantity": "0"}, "from 1 to 10,000"), ({"date": future}, "future day")]:
        response = client.post(url(org_a, "update", entry), edit_payload(org_a, entry, **payload))
        assert message in response.content.decode()
    entry.refresh_from_db()
    assert (entry.quantity, entry.date) == (3, org_a.organization.local_today())


@pytest.mark.parametrize("who", ["other_rep", "hr", "manager_of_other_team"])
def test_who_may_not_see_or_change_an_entry(client, org_a, entry, who):
    if who == "other_rep":
        user = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team).user
        expected_read = 404  # reps never see other reps' entries
    elif who == "hr":
        user, expected_read = org_a.hr.user, 200  # HR reads, never edits
    else:
        user = MembershipFactory(organization=org_a.organization, role=Role.MANAGER).user
        expected_read = 404
    client.force_login(user)
    assert client.get(url(org_a, "detail", entry)).status_code == expected_read
    expected_change = 403 if expected_read == 200 else 404
    assert client.get(url(org_a, "update", entry)).status_code == expected_change
    assert client.post(url(org_a, "update", entry), edit_payload(org_a, entry, quantity="9")).status_code == expected_change
    assert client.post(url(org_a, "delete", entry)).status_code == expected_change
    entry.refresh_from_db()
    assert entry.quantity == 3


def test_history_records_the_channel_of_each_change(org_a, entry):
    api_entry = entry_log(
        organization=org_a.organization,
        actor=org_a.rep,
        rep=org_a.rep,
        data=EntryData(activity_type=org_a.types["meetings"], date=entry.date, quantity=1),
        source="api",
    )
    entry_update(
        organization=org_a.organization,
        actor=org_a.manager,
        entry=api_entry,
        data=EntryData(activity_type=org_a.types["meetings"], date=entry.date, quantity=2),
    )
    trail = [(r.history_type, r.history_change_reason, r.history_user) for r in api_entry.history.order_by("history_date")]
    assert trail == [("+", "api", org_a.rep.user), ("~", "web", org_a.manager.user)]
