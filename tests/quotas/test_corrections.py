"""Corrections of closed periods: a rep asks, the rep's manager (or an admin) decides; an approval changes the
entry, re-closes every closed period containing its day and locks it again — all or nothing, audited."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from accounts.roles import Role
from activities.models import ActivityEntry, EntryLock
from activities.selectors import entry_history
from activities.services.locks import date_is_locked
from quotas.models import (
    Correction,
    CorrectionStatus,
    Period,
    PeriodClose,
    PeriodResult,
    PeriodStatus,
    QuotaPlan,
    ResultStatus,
)
from quotas.services import corrections as services
from quotas.services.close import organization_close_due
from quotas.services.corrections import correction_approve, correction_reject, correction_request
from quotas.services.periods import periods_ensure

from ..factories import MembershipFactory, TeamFactory
from .conftest import NOW, TODAY, WEEK_START

WEEK = date(2026, 10, 19)  # Mon 19 – Sun 25 October 2026: inside the month of October
DAY = date(2026, 10, 20)
OCTOBER = date(2026, 10, 1)


def add(org, rep, type_key, quantity, day):
    return ActivityEntry.objects.create(organization=org.organization, rep=rep, activity_type=org.types[type_key],
                                        quantity=quantity, date=day, entered_by=rep.user)  # fmt: skip


@pytest.fixture
def closed(org_a, make_plan, employed):
    """Weekly (50 calls) and monthly (200 calls) plans; 30 calls on Tue 20 Oct; every due week and October
    closed (and locked). Returns the entry."""
    for kind, target in (("week", 50), ("month", 200)):
        plan = make_plan(org_a, lines={"outbound_calls": target}, kind=kind)
        plan.versions.update(effective_from=date(2026, 9, 28) if kind == "week" else date(2026, 9, 1))
    periods_ensure(organization=org_a.organization, start=date(2026, 9, 28), end=TODAY, kinds=["week", "month"])
    entry = add(org_a, employed, "outbound_calls", 30, DAY)
    organization_close_due(organization=org_a.organization, now=NOW)
    assert date_is_locked(organization=org_a.organization, day=DAY)
    return entry


def period(org, kind, start):
    return Period.objects.get(organization=org.organization, kind=kind, start=start)


def actual(org, kind, start, *, current=True):
    results = PeriodResult.objects.filter(period=period(org, kind, start), rep=org.rep,
                                          period_close__superseded_at__isnull=current)  # fmt: skip
    return [r.actual for r in results]


def request_change(org, entry, quantity=45, reason="The dialer missed 15 calls"):
    return correction_request(
        organization=org.organization, actor=org.rep, entry=entry, quantity=quantity, reason=reason
    )


def test_approval_changes_the_entry_recloses_every_period_of_its_day_and_locks_it_again(org_a, closed):
    correction = request_change(org_a, closed)
    assert correction.period == period(org_a, "week", WEEK)  # the shortest closed period of the day
    assert actual(org_a, "week", WEEK) == [30] and actual(org_a, "month", OCTOBER) == [30]
    correction_approve(organization=org_a.organization, actor=org_a.manager, correction=correction, comment="Checked")
    closed.refresh_from_db()
    assert closed.quantity == 45
    assert date_is_locked(organization=org_a.organization, day=DAY)
    for kind, start in (("week", WEEK), ("month", OCTOBER)):
        assert actual(org_a, kind, start) == [45]
        assert actual(org_a, kind, start, current=False) == [30]  # the replaced result is kept
        closes = list(PeriodClose.objects.filter(period=period(org_a, kind, start)).order_by("number"))
        assert [c.superseded_at is not None for c in closes] == [True, False]
        assert closes[1].actor == org_a.manager.user and "Correction #" in closes[1].reason
        assert period(org_a, kind, start).status == PeriodStatus.CLOSED
    # Untouched: a week without the day keeps its single close.
    assert PeriodClose.objects.filter(period=period(org_a, "week", WEEK + timedelta(days=7))).count() == 1
    correction.refresh_from_db()
    assert (correction.status, correction.decided_by, correction.decision_comment) == (
        CorrectionStatus.APPROVED, org_a.manager.user, "Checked",
    )  # fmt: skip


def test_a_reclose_keeps_the_targets_the_period_was_closed_with(org_a, closed, employed):
    """History is never rewritten: after the close the plans are archived and the rep goes part time; the
    correction changes what was done, not what was asked."""
    QuotaPlan.objects.filter(organization=org_a.organization).update(archived_at=NOW)
    Membership.objects.filter(pk=employed.pk).update(fte_percent=50)
    before = {(r.period.kind, r.label): (r.version_id, r.line_id, r.target_full, r.target, r.explanation)
              for r in PeriodResult.objects.filter(rep=employed, period__start__in=[WEEK, OCTOBER])}  # fmt: skip
    correction_approve(organization=org_a.organization, actor=org_a.manager, correction=request_change(org_a, closed))
    week = PeriodResult.objects.get(period=period(org_a, "week", WEEK), rep=employed,
                                    period_close__superseded_at__isnull=True)  # fmt: skip
    assert (week.target, week.actual, week.status) == (50, 45, ResultStatus.BELOW_MINIMUM)
    after = {(r.period.kind, r.label): (r.version_id, r.line_id, r.target_full, r.target, r.explanation)
             for r in PeriodResult.objects.filter(rep=employed, period__start__in=[WEEK, OCTOBER],
                                                  period_close__superseded_at__isnull=True)}  # fmt: skip
    assert after == before and len(after) == 2


def test_the_entry_history_shows_the_manager_and_the_reason(client, org_a, closed):
    correction = request_change(org_a, closed, reason="Dialer export was cut off")
    correction_approve(organization=org_a.organization, actor=org_a.manager, correction=correction)
    latest = entry_history(entry=closed)[0]
    assert latest["record"].history_user == org_a.manager.user
    assert latest["via"] == f"Correction #{correction.pk}: Dialer export was cut off"
    assert [(c["old"], c["new"]) for c in latest["changes"]] == [(Decimal(30), Decimal(45))]
    client.force_login(org_a.rep.user)
    page = client.get(reverse("activities:entry-detail", kwargs={"org_slug": org_a.slug, "entry_pk": closed.pk}))
    text = page.content.decode()
    assert f"Correction #{correction.pk}: Dialer export was cut off" in text
    assert org_a.manager.user.display_name in text


def test_a_missing_entry_correction_adds_the_entry(org_a, closed):
    correction = correction_request(
        organization=org_a.organization, actor=org_a.rep, activity_type=org_a.types["outbound_calls"],
        day=DAY + timedelta(days=1), quantity=25, reason="Forgot Wednesday",
    )  # fmt: skip
    assert correction.entry is None
    correction_approve(organization=org_a.organization, actor=org_a.admin, correction=correction)
    added = ActivityEntry.objects.get(rep=org_a.rep, date=DAY + timedelta(days=1))
    assert (added.quantity, added.entered_by, added.source) == (25, org_a.admin.user, "web")
    assert added.history.get().history_change_reason == f"Correction #{correction.pk}: Forgot Wednesday"
    assert actual(org_a, "week", WEEK) == [55] and actual(org_a, "month", OCTOBER) == [55]
    assert date_is_locked(organization=org_a.organization, day=DAY + timedelta(days=1))


def test_reject_changes_nothing_but_the_request(org_a, closed):
    correction = request_change(org_a, closed)
    locks = list(EntryLock.objects.values_list("pk", "unlocked_at"))
    with pytest.raises(ValidationError, match="Say why you reject"):
        correction_reject(organization=org_a.organization, actor=org_a.manager, correction=correction, comment="  ")
    correction_reject(organization=org_a.organization, actor=org_a.manager, correction=correction, comment="Not in CRM")
    closed.refresh_from_db()
    assert closed.quantity == 30
    assert PeriodClose.objects.filter(period=period(org_a, "week", WEEK)).count() == 1
    assert list(EntryLock.objects.values_list("pk", "unlocked_at")) == locks
    correction.refresh_from_db()
    assert (correction.status, correction.decision_comment) == (CorrectionStatus.REJECTED, "Not in CRM")


def test_deciding_twice_is_refused(org_a, closed):
    correction = request_change(org_a, closed)
    correction_approve(organization=org_a.organization, actor=org_a.manager, correction=correction)
    for decide in (correction_approve, correction_reject):
        with pytest.raises(ValidationError, match="already approved"):
            decide(organization=org_a.organization, actor=org_a.admin, correction=correction, comment="again")
    assert PeriodClose.objects.filter(period=period(org_a, "week", WEEK)).count() == 2


def test_an_approval_whose_reclose_fails_rolls_everything_back(org_a, closed):
    correction = request_change(org_a, closed)
    locks = list(EntryLock.objects.order_by("pk").values_list("pk", "unlocked_at"))
    history = closed.history.count()
    with mock.patch.object(services, "period_close", side_effect=RuntimeError("disk full")):
        with pytest.raises(RuntimeError):
            correction_approve(organization=org_a.organization, actor=org_a.manager, correction=correction)
    closed.refresh_from_db()
    assert closed.quantity == 30 and closed.history.count() == history
    assert date_is_locked(organization=org_a.organization, day=DAY)
    assert list(EntryLock.objects.order_by("pk").values_list("pk", "unlocked_at")) == locks
    assert PeriodClose.objects.filter(period=period(org_a, "week", WEEK)).count() == 1
    assert actual(org_a, "week", WEEK) == [30]
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REQUESTED and correction.decided_by is None


def test_an_approval_while_another_worker_holds_the_period_changes_nothing(org_a, closed):
    correction = request_change(org_a, closed)
    with mock.patch.object(services, "period_close", return_value=None):
        with pytest.raises(ValidationError, match="being closed right now"):
            correction_approve(organization=org_a.organization, actor=org_a.manager, correction=correction)
    closed.refresh_from_db()
    assert closed.quantity == 30 and date_is_locked(organization=org_a.organization, day=DAY)


def test_a_period_whose_reclose_locks_nothing_is_locked_again(org_a, closed):
    """A re-close without results locks nothing itself: the lifted lock comes back all the same."""
    correction = request_change(org_a, closed)
    with mock.patch.object(services, "period_close", return_value=mock.Mock()):
        correction_approve(organization=org_a.organization, actor=org_a.manager, correction=correction)
    assert date_is_locked(organization=org_a.organization, day=DAY)
    assert date_is_locked(organization=org_a.organization, day=OCTOBER)  # the month's other days too


# Who may do what ---------------------------------------------------------------------------------


@pytest.fixture
def other_team(org_a):
    team = TeamFactory(organization=org_a.organization, name="Other")
    manager = MembershipFactory(organization=org_a.organization, role=Role.MANAGER, leads=[team])
    return manager


def test_only_the_reps_manager_or_an_admin_decides(org_a, closed, other_team):
    correction = request_change(org_a, closed)
    for actor in (org_a.rep, org_a.hr, other_team):
        with pytest.raises(PermissionDenied):
            correction_approve(organization=org_a.organization, actor=actor, correction=correction)
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REQUESTED
    correction_approve(organization=org_a.organization, actor=org_a.admin, correction=correction)


def test_only_reps_ask_and_only_for_their_own_entries(org_a, closed):
    with pytest.raises(PermissionDenied):
        correction_request(organization=org_a.organization, actor=org_a.manager, entry=closed, quantity=45, reason="x")
    colleague = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    with pytest.raises(ValidationError, match="That entry does not exist"):
        correction_request(organization=org_a.organization, actor=colleague, entry=closed, quantity=45, reason="x")
    assert not Correction.objects.exists()


def post_decision(client, org, correction, action, comment=""):
    url = reverse(f"quotas:correction-{action}", kwargs={"org_slug": org.slug, "correction_pk": correction.pk})
    return client.post(url, {"comment": comment}, follow=True)


def test_pages_by_role(client, org_a, closed, other_team):
    correction = request_change(org_a, closed)
    list_url = reverse("quotas:correction-list", kwargs={"org_slug": org_a.slug})
    for member, sees in ((org_a.rep, True), (org_a.manager, True), (org_a.hr, True), (org_a.admin, True),
                         (other_team, False)):  # fmt: skip
        client.force_login(member.user)
        assert (f'id="correction-{correction.pk}"' in client.get(list_url).content.decode()) is sees, member.role
    client.force_login(org_a.hr.user)
    assert "correction-approve" not in client.get(list_url).content.decode()
    assert post_decision(client, org_a, correction, "approve").status_code == 403
    client.force_login(org_a.rep.user)
    assert post_decision(client, org_a, correction, "approve").status_code == 403
    client.force_login(other_team.user)
    assert post_decision(client, org_a, correction, "approve").status_code == 404  # not a rep they can see
    client.force_login(org_a.manager.user)
    assert client.get(reverse("quotas:correction-create", kwargs={"org_slug": org_a.slug})).status_code == 403
    response = post_decision(client, org_a, correction, "approve", "Fine")
    assert f"Correction #{correction.pk} of {org_a.rep.user.display_name} approved" in response.content.decode()
    closed.refresh_from_db()
    assert closed.quantity == 45


def test_reject_page_needs_a_comment(client, org_a, closed):
    correction = request_change(org_a, closed)
    client.force_login(org_a.manager.user)
    assert "Say why you reject the correction." in post_decision(client, org_a, correction, "reject").content.decode()
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REQUESTED
    response = post_decision(client, org_a, correction, "reject", "Not in the CRM")
    assert "rejected" in response.content.decode()
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED


def test_deciding_twice_on_the_page_says_so(client, org_a, closed):
    correction = request_change(org_a, closed)
    client.force_login(org_a.manager.user)
    post_decision(client, org_a, correction, "approve")
    response = post_decision(client, org_a, correction, "reject", "Oops")
    assert "already approved; nothing was changed" in response.content.decode()


# The request form ---------------------------------------------------------------------------------


def create_url(org, entry=None):
    url = reverse("quotas:correction-create", kwargs={"org_slug": org.slug})
    return f"{url}?entry={entry}" if entry is not None else url


def test_the_locked_entry_page_links_to_a_preselected_request(client, org_a, closed):
    client.force_login(org_a.rep.user)
    page = client.get(reverse("activities:entry-detail", kwargs={"org_slug": org_a.slug, "entry_pk": closed.pk}))
    assert create_url(org_a, closed.pk) in page.content.decode()
    form_page = client.get(create_url(org_a, closed.pk))
    assert f'<option value="{closed.pk}" selected>' in form_page.content.decode()
    response = client.post(create_url(org_a, closed.pk), {"entry": closed.pk, "quantity": "45", "reason": "Missed"})
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert (correction.entry, correction.quantity, correction.requested_by) == (closed, 45, org_a.rep.user)
    client.force_login(org_a.manager.user)  # the manager's view of the entry offers no request
    page = client.get(reverse("activities:entry-detail", kwargs={"org_slug": org_a.slug, "entry_pk": closed.pk}))
    assert create_url(org_a, closed.pk) not in page.content.decode()


def test_a_missing_entry_is_requested_on_the_form(client, org_a, closed):
    client.force_login(org_a.rep.user)
    response = client.post(create_url(org_a), {"activity_type": org_a.types["meetings"].pk, "date": "2026-10-21",
                                                "quantity": "2", "reason": "Forgot the demo day"})  # fmt: skip
    assert response.status_code == 302
    correction = Correction.objects.get()
    expected = (None, org_a.types["meetings"], date(2026, 10, 21))
    assert (correction.entry, correction.activity_type, correction.date) == expected


def test_foreign_entries_are_404_in_the_url_and_invalid_in_the_form(client, world, closed):
    org_a, org_b = world.a, world.b
    client.force_login(org_a.rep.user)
    colleague = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    colleagues_entry = add(org_a, colleague, "outbound_calls", 5, WEEK_START)
    for foreign in (org_b.entry.pk, colleagues_entry.pk, "nonsense"):
        assert client.get(create_url(org_a, foreign)).status_code == 404
    for payload in (
        {"entry": org_b.entry.pk, "quantity": "4", "reason": "Smuggled"},
        {"entry": colleagues_entry.pk, "quantity": "4", "reason": "Smuggled"},
        {"activity_type": org_b.types["meetings"].pk, "date": "2026-10-21", "quantity": "2", "reason": "Smuggled"},
    ):
        response = client.post(create_url(org_a), payload)
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert not Correction.objects.exists()


def test_an_entry_of_an_open_period_needs_no_correction(client, org_a, closed, employed):
    open_entry = add(org_a, employed, "outbound_calls", 3, WEEK_START)
    client.force_login(org_a.rep.user)
    page = client.get(create_url(org_a, open_entry.pk)).content.decode()
    assert "That entry is in an open period" in page
    assert reverse("activities:entry-update", kwargs={"org_slug": org_a.slug, "entry_pk": open_entry.pk}) in page
    payload = {"activity_type": org_a.types["meetings"].pk, "date": WEEK_START.isoformat(), "quantity": "2",
               "reason": "Forgot"}  # fmt: skip
    response = client.post(create_url(org_a), payload)
    text = response.content.decode()
    assert "is in an open period: no correction is needed, change it on the Today page." in text
    assert reverse("activities:today", kwargs={"org_slug": org_a.slug}) + f"?date={WEEK_START.isoformat()}" in text
    assert not Correction.objects.exists()


BAD_INPUT = [
    ({"quantity": "0"}, "Enter a whole number from 1 to 10,000."),
    ({"quantity": "abc"}, "Enter a number."),
    ({"quantity": "1.5"}, "Enter a whole number."),
    ({"quantity": "30"}, "That is already the entry&#x27;s quantity."),
    ({"reason": ""}, "This field is required."),
    ({"reason": "x" * 501}, "Ensure this value has at most 500 characters"),
]


@pytest.mark.parametrize(("change", "message"), BAD_INPUT)
def test_bad_input_for_an_entry_is_refused_and_nothing_is_written(client, org_a, closed, change, message):
    client.force_login(org_a.rep.user)
    payload = {"entry": closed.pk, "quantity": "45", "reason": "Missed calls", **change}
    response = client.post(create_url(org_a), payload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Correction.objects.exists()


BAD_MISSING = [
    ({"date": (TODAY + timedelta(days=1)).isoformat()}, "You cannot log activity for a future day."),
    ({"date": "2019-12-31"}, "is before the employment start."),
    ({"date": ""}, "Enter the day of the missing entry."),
    ({"activity_type": ""}, "Choose the entry to correct, or the type of the missing entry."),
    ({"quantity": "-3"}, "Enter a whole number from 1 to 10,000."),
]


@pytest.mark.parametrize(("change", "message"), BAD_MISSING)
def test_bad_input_for_a_missing_entry_is_refused_and_nothing_is_written(client, org_a, closed, change, message):
    client.force_login(org_a.rep.user)
    payload = {"activity_type": org_a.types["meetings"].pk, "date": "2026-10-21", "quantity": "2", "reason": "Forgot",
               **change}  # fmt: skip
    response = client.post(create_url(org_a), payload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Correction.objects.exists()


def test_one_waiting_request_per_entry(org_a, closed):
    request_change(org_a, closed)
    with pytest.raises(ValidationError, match="already has a correction waiting"):
        request_change(org_a, closed, quantity=50)
    assert Correction.objects.count() == 1


def test_a_reason_of_only_spaces_is_refused(org_a, closed):
    with pytest.raises(ValidationError, match="Say why the correction is needed"):
        request_change(org_a, closed, reason="   ")


def test_an_archived_type_cannot_be_corrected(org_a, closed):
    org_a.types["meetings"].archived_at = NOW
    org_a.types["meetings"].save()
    with pytest.raises(ValidationError, match="is archived"):
        correction_request(organization=org_a.organization, actor=org_a.rep, activity_type=org_a.types["meetings"],
                           day=DAY, quantity=1, reason="x")  # fmt: skip


# Query counts -------------------------------------------------------------------------------------


def list_queries(client, org) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("quotas:correction-list", kwargs={"org_slug": org.slug})).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_many_corrections(client, org_a, closed):
    def make(count):
        for _ in range(count):
            rep = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
            entry = add(org_a, rep, "outbound_calls", 5, WEEK_START)  # (rows written directly: any day will do)
            Correction.objects.create(organization=org_a.organization, period=period(org_a, "week", WEEK), rep=rep,
                                      entry=entry, activity_type=entry.activity_type, date=DAY, quantity=6,
                                      reason="More", requested_by=rep.user)  # fmt: skip
        decided = Correction.objects.filter(status=CorrectionStatus.REQUESTED)[: count // 2]
        Correction.objects.filter(pk__in=[c.pk for c in decided]).update(
            status=CorrectionStatus.REJECTED, decided_by=org_a.manager.user
        )

    client.force_login(org_a.manager.user)
    make(4)
    few = list_queries(client, org_a)
    make(20)
    assert list_queries(client, org_a) == few
