"""Notifications after a close (once per person, in the organization's language, only after commit), the
close-failed alert, the 16:00 reminder in each organization's zone, and the in-app page."""

import re
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organization, TeamManager, User
from accounts.roles import Role
from activities.models import ActivityEntry
from activities.services.locks import entries_unlock
from quotas.models import (
    Holiday,
    Leave,
    LeaveStatus,
    Notification,
    NotificationKind,
    Period,
    PeriodStatus,
    QuotaSettings,
)
from quotas.services import close as close_service
from quotas.services.calendar import leave_create
from quotas.services.close import MAX_CLOSE_ATTEMPTS, period_close
from quotas.services.notifications import reminders_send
from quotas.services.periods import periods_ensure
from quotas.tasks import send_close_failed_alert_task, send_close_notifications_task

from ..factories import MembershipFactory, TeamFactory
from .conftest import WEEK_START

LAST_WEEK = WEEK_START - timedelta(days=7)  # Mon 2026-11-16 … Sun 2026-11-22


def add(org, rep, type_key, quantity, day=LAST_WEEK):
    ActivityEntry.objects.create(organization=org.organization, rep=rep, activity_type=org.types[type_key],
                                 quantity=quantity, date=day, entered_by=rep.user)  # fmt: skip


@pytest.fixture
def weeks(org_a, make_plan, employed):
    """A weekly plan for everyone (calls 50, meetings 4) that applied last week; org_a's rep in probation."""
    plan = make_plan(org_a, lines={"outbound_calls": 50, "meetings": 4}, kind="week")
    plan.versions.update(effective_from=LAST_WEEK - timedelta(days=7))
    periods_ensure(organization=org_a.organization, start=LAST_WEEK - timedelta(days=7),
                   end=WEEK_START + timedelta(days=6), kinds=["week"])  # fmt: skip
    Membership.objects.filter(pk=employed.pk).update(employment_start=date(2026, 9, 1), probation_end=date(2027, 2, 28))
    add(org_a, employed, "outbound_calls", 61)  # exceeded
    add(org_a, employed, "meetings", 3)  # below the minimum
    return {p.start: p for p in Period.objects.filter(organization=org_a.organization, kind="week")}


def close(org, period, capture, **kwargs):
    """Close after commit, as the worker does: the notification task runs when the transaction commits."""
    with capture(execute=True):
        return period_close(organization=org.organization, period=period, **kwargs)


def mails_to(address) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def test_after_a_close_each_rep_manager_and_hr_member_gets_one_email_and_one_notification(
    org_a, weeks, frozen_now, django_capture_on_commit_callbacks
):
    period_close_row = close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["hr@alpha.example", "manager@alpha.example", "rep@alpha.example"]
    rows = Notification.objects.filter(organization=org_a.organization)
    assert sorted(rows.values_list("kind", "key")) == sorted([
        (NotificationKind.HR_DIGEST, f"hr_digest:{period_close_row.pk}:{org_a.hr.user_id}"),
        (NotificationKind.MANAGER_DIGEST, f"manager_digest:{period_close_row.pk}:{org_a.manager.user_id}"),
        (NotificationKind.REP_SUMMARY, f"rep_summary:{period_close_row.pk}:{org_a.rep.user_id}"),
    ])  # fmt: skip
    assert all(row.emailed_at is not None and row.read_at is None for row in rows)

    (summary,) = mails_to("rep@alpha.example")
    assert "Week 16 – 22 Nov 2026" in summary.subject
    assert "- Outbound calls: 61 / 50 (122 %) – Exceeded" in summary.body
    assert "- Meetings: 3 / 4 (75 %) – Below minimum" in summary.body
    assert "You did not meet every target" in summary.body and "Well done! You exceeded: Outbound calls" in summary.body
    assert f"{settings.SITE_URL}/o/alpha/flags/" in summary.body
    assert summary.body == rows.get(kind=NotificationKind.REP_SUMMARY).body  # in-app shows what the e-mail said

    (digest,) = mails_to("manager@alpha.example")
    assert "1 rep to follow up" in digest.subject
    assert "Alpha Advisors Sales: 0 of 1 reps met their plan." in digest.body
    assert "Needs your attention:" in digest.body and "Meetings 3 / 4 (75 %)" in digest.body
    assert "worth a word of recognition" in digest.body and "Outbound calls 61 / 50 (122 %)" in digest.body

    (hr,) = mails_to("hr@alpha.example")
    assert "in probation until 2027-02-28" in hr.body and "Plan not met." in hr.body
    assert org_a.rep.user.display_name in hr.body


def test_a_streak_is_in_the_summary_and_an_unflagged_team_is_said_so(org_a, weeks, employed, frozen_now,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    ActivityEntry.objects.filter(rep=employed).delete()
    add(org_a, employed, "outbound_calls", 50)
    add(org_a, employed, "meetings", 4)
    close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks)
    assert "You met your plan: 1 period in a row." in mails_to("rep@alpha.example")[0].body
    assert "No rep of your teams was flagged." in mails_to("manager@alpha.example")[0].body


def test_nobody_outside_the_close_is_notified(org_a, org_b, weeks, frozen_now, django_capture_on_commit_callbacks):
    Membership.objects.filter(pk=org_a.rep.pk).update(probation_end=None)
    MembershipFactory(organization=org_a.organization, role=Role.MANAGER)  # leads no team
    close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["manager@alpha.example", "rep@alpha.example"]  # no probation: no HR
    assert not Notification.objects.filter(organization=org_b.organization).exists()


def test_running_the_task_twice_sends_nothing_twice(org_a, weeks, frozen_now, django_capture_on_commit_callbacks):
    period_close_row = close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks)
    sent, rows = len(mail.outbox), Notification.objects.count()
    assert sent == 3
    assert send_close_notifications_task.delay(period_close_row.pk).get() == 0
    send_close_notifications_task(period_close_row.pk)
    assert (len(mail.outbox), Notification.objects.count()) == (sent, rows)


def test_a_notification_written_but_not_yet_emailed_is_emailed_by_the_next_run(
    org_a, weeks, frozen_now, django_capture_on_commit_callbacks
):
    period_close_row = close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks)
    Notification.objects.filter(kind=NotificationKind.REP_SUMMARY).update(emailed_at=None)  # e.g. SMTP was down
    mail.outbox.clear()
    assert send_close_notifications_task(period_close_row.pk) == 1
    assert [m.to for m in mail.outbox] == [["rep@alpha.example"]]


def test_a_failed_send_releases_the_claim_and_is_retried(org_a, weeks, frozen_now, django_capture_on_commit_callbacks):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")):
        with pytest.raises(Retry):  # eager here; a worker sends it again after a backoff
            close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks)
    period_close_row = weeks[LAST_WEEK].closes.get()
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 3
    assert send_close_notifications_task(period_close_row.pk) == 3


def test_emails_are_in_the_organizations_language(org_a, weeks, frozen_now, django_capture_on_commit_callbacks):
    Organization.objects.filter(pk=org_a.organization.pk).update(language="sv")
    org_a.organization.refresh_from_db()
    close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks)
    (summary,) = mails_to("rep@alpha.example")
    assert "Vecka 16 – 22 Nov 2026" in summary.subject
    assert "Överträffat" in summary.body  # the status of 61 / 50
    assert "Week " not in summary.body and "Exceeded" not in summary.body


def test_emails_are_in_each_recipients_own_language(org_a, weeks, frozen_now, django_capture_on_commit_callbacks):
    """A user's own language (User.language) wins over the organization's, per recipient."""
    User.objects.filter(pk=org_a.rep.user_id).update(language="sv")
    close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks)
    (summary,) = mails_to("rep@alpha.example")
    assert "Vecka 16 – 22 Nov 2026" in summary.subject
    assert "Överträffat" in summary.body
    (digest,) = mails_to("manager@alpha.example")  # the organization's language: English
    assert "Week 16 – 22 Nov 2026" in digest.subject
    assert "Vecka" not in digest.body
    notification = Notification.objects.get(recipient=org_a.rep.user)
    assert notification.subject == summary.subject  # the in-app copy says what the e-mail said


def test_a_close_that_rolls_back_sends_nothing(org_a, weeks, frozen_now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with mock.patch.object(close_service, "entries_lock", side_effect=RuntimeError("disk full")):
            with pytest.raises(RuntimeError):
                close_service.period_close_attempt(organization=org_a.organization, period=weeks[LAST_WEEK])
    assert callbacks == []
    assert mail.outbox == [] and not Notification.objects.exists()


def test_a_reclose_notifies_again(org_a, weeks, employed, frozen_now, django_capture_on_commit_callbacks):
    first = close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks)
    entries_unlock(organization=org_a.organization, start=LAST_WEEK, end=LAST_WEEK, actor=org_a.admin.user,
                   reason="correction")  # fmt: skip
    add(org_a, employed, "meetings", 1)  # a correction, as if approved
    second = close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks, reclose=True, reason="correction")
    assert len(mail.outbox) == 6
    assert Notification.objects.filter(key__contains=f":{second.pk}:").count() == 3
    assert "- Meetings: 4 / 4 (100 %) – Met" in mails_to("rep@alpha.example")[-1].body
    # The replaced close's task, run late, sends nothing: its results are history.
    assert send_close_notifications_task(first.pk) == 0 and len(mail.outbox) == 6


def test_a_reclose_writes_only_to_those_whose_results_changed(
    org_a, weeks, employed, frozen_now, django_capture_on_commit_callbacks
):
    """A correction of one rep's week: that rep, their team's manager and (the rep being in probation) HR get
    the updated picture; a rep of another team, whose results did not change, and that team's manager, nothing."""
    other_team = TeamFactory(organization=org_a.organization, name="Outbound")
    other_rep = MembershipFactory(organization=org_a.organization, role=Role.REP, team=other_team,
                                  user__email="olle@alpha.example")  # fmt: skip
    other_manager = MembershipFactory(organization=org_a.organization, role=Role.MANAGER,
                                      user__email="boss@alpha.example")  # fmt: skip
    TeamManager.objects.create(organization=org_a.organization, team=other_team, membership=other_manager)
    # org_a's manager leads both teams: their digest keeps the whole picture, the unchanged team too.
    TeamManager.objects.create(organization=org_a.organization, team=other_team, membership=org_a.manager)
    add(org_a, other_rep, "outbound_calls", 20)
    close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks)
    assert len(mails_to("olle@alpha.example")) == len(mails_to("boss@alpha.example")) == 1
    mail.outbox.clear()
    entries_unlock(organization=org_a.organization, start=LAST_WEEK, end=LAST_WEEK, actor=org_a.admin.user,
                   reason="correction")  # fmt: skip
    add(org_a, employed, "meetings", 1)
    close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks, reclose=True, reason="correction")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "hr@alpha.example", "manager@alpha.example", "rep@alpha.example"
    ]  # fmt: skip
    assert "Outbound: 0 of 1 reps met their plan." in mails_to("manager@alpha.example")[0].body
    # A re-close that changes nobody's results writes to nobody.
    mail.outbox.clear()
    close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks, reclose=True, reason="no change")
    assert mail.outbox == []


def test_a_rep_without_a_target_is_told_so_not_that_they_missed_the_plan(
    org_a, weeks, frozen_now, django_capture_on_commit_callbacks
):
    away = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team,
                             user__email="away@alpha.example", probation_end=date(2027, 2, 28))  # fmt: skip
    leave_create(organization=org_a.organization, actor=org_a.manager, rep=away, start=LAST_WEEK,
                 end=LAST_WEEK + timedelta(days=6), reason="Vacation")  # fmt: skip
    close(org_a, weeks[LAST_WEEK], django_capture_on_commit_callbacks)
    (summary,) = mails_to("away@alpha.example")
    assert "You had no target this period (no working day for you): your streak carries over it." in summary.body
    assert "You did not meet every target" not in summary.body
    (digest,) = mails_to("hr@alpha.example")
    away_part = digest.body.split(away.user.display_name, 1)[1].split("\n\n", 1)[0]
    assert "No target (no working day)." in away_part and "Plan not met." not in away_part


# The close-failed alert -----------------------------------------------------------------------------


def fail_three_times(org, period, capture):
    with capture(execute=True):
        with mock.patch.object(close_service, "entries_lock", side_effect=RuntimeError("disk full")):
            for _attempt in range(MAX_CLOSE_ATTEMPTS):
                with pytest.raises(RuntimeError):
                    close_service.period_close_attempt(organization=org.organization, period=period)


def test_a_stopped_close_alerts_admins_and_owners_once(org_a, weeks, django_capture_on_commit_callbacks):
    period = weeks[LAST_WEEK]
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with mock.patch.object(timezone, "now", return_value=at):
        fail_three_times(org_a, period, django_capture_on_commit_callbacks)
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSE_FAILED
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@alpha.example", "owner@alpha.example"]
    assert "Closing Week 16 – 22 Nov 2026 failed" in mail.outbox[0].subject
    assert "failed 3 times, and has stopped" in mail.outbox[0].body and "disk full" not in mail.outbox[0].body
    assert send_close_failed_alert_task(period.pk, 3, int(at.timestamp())) == 0  # the task again: nothing new
    assert len(mail.outbox) == 2 and Notification.objects.filter(kind=NotificationKind.CLOSE_FAILED).count() == 2
    # Retried by an admin and stopped again, later: a new alert.
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.OPEN, close_attempts=0)
    with mock.patch.object(timezone, "now", return_value=at + timedelta(hours=5)):
        fail_three_times(org_a, period, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 4


# Reminders at 16:00 local ----------------------------------------------------------------------------

# Wednesday 2026-11-25, 15:00 UTC: 16:00 in Stockholm (CET), 04:00 on Thursday in Auckland (NZDT).
STOCKHOLM_FOUR_PM = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
# Thursday 2026-11-26, 03:00 UTC: 16:00 in Auckland, 04:00 in Stockholm.
AUCKLAND_FOUR_PM = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


@pytest.fixture
def reminding(org_a, org_b):
    """Both organizations want reminders; org_b is in Auckland. Their reps have logged nothing."""
    Organization.objects.filter(pk=org_b.organization.pk).update(time_zone="Pacific/Auckland")
    org_b.organization.refresh_from_db()
    for org in (org_a, org_b):
        QuotaSettings.objects.create(organization=org.organization, reminder_enabled=True)
        ActivityEntry.objects.filter(organization=org.organization).delete()
    return {"a": org_a, "b": org_b}


def reminded(org) -> set[str]:
    """Who of the organization was e-mailed a reminder."""
    emails = set(Notification.objects.filter(organization=org.organization, kind=NotificationKind.REMINDER)
                 .values_list("recipient__email", flat=True))  # fmt: skip
    return {m.to[0] for m in mail.outbox} & emails


def test_reminders_go_at_16_local_in_each_organizations_zone(reminding, org_a, org_b):
    assert reminders_send(now=STOCKHOLM_FOUR_PM - timedelta(minutes=1)) == 0
    assert reminders_send(now=STOCKHOLM_FOUR_PM) == 1
    assert reminded(org_a) == {"rep@alpha.example"} and reminded(org_b) == set()  # 04:00 in Auckland
    message = mail.outbox[0]
    assert "Nothing logged today yet" in message.subject and "/o/alpha/today/" in message.body
    assert reminders_send(now=AUCKLAND_FOUR_PM) == 1  # 04:00 on Thursday in Stockholm: nothing for org_a
    assert reminded(org_b) == {"rep@beta.example"} and len(mail.outbox) == 2
    key = Notification.objects.get(recipient=org_b.rep.user).key
    assert key == f"reminder:2026-11-26:{org_b.rep.pk}"


def test_reminders_go_once_per_rep_and_day(reminding, org_a):
    reminders_send(now=STOCKHOLM_FOUR_PM)
    for minutes in (5, 10, 300):
        assert reminders_send(now=STOCKHOLM_FOUR_PM + timedelta(minutes=minutes)) == 0
    assert len(mail.outbox) == 1
    assert reminders_send(now=STOCKHOLM_FOUR_PM + timedelta(days=1)) == 1  # Thursday: a new day


def test_no_reminders_on_weekends_holidays_or_when_turned_off(reminding, org_a, org_b):
    saturday = STOCKHOLM_FOUR_PM + timedelta(days=3)
    assert reminders_send(now=saturday) == 0
    Holiday.objects.create(organization=org_a.organization, date=date(2026, 11, 25), name="Company day")
    assert reminders_send(now=STOCKHOLM_FOUR_PM) == 0
    QuotaSettings.objects.filter(organization=org_b.organization).update(reminder_enabled=False)
    assert reminders_send(now=AUCKLAND_FOUR_PM) == 0
    assert mail.outbox == [] and not Notification.objects.exists()


def test_only_reps_who_logged_nothing_and_are_working_are_reminded(reminding, org_a):
    day = date(2026, 11, 25)
    logged = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    ActivityEntry.objects.create(organization=org_a.organization, rep=logged, activity_type=org_a.types["meetings"],
                                 quantity=1, date=day, entered_by=logged.user)  # fmt: skip
    on_leave = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    Leave.objects.create(organization=org_a.organization, rep=on_leave, start=day, end=day, status=LeaveStatus.APPROVED)
    MembershipFactory(organization=org_a.organization, role=Role.REP, employment_start=day + timedelta(days=1))
    MembershipFactory(organization=org_a.organization, role=Role.REP, is_active=False)
    yesterday_only = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    ActivityEntry.objects.create(organization=org_a.organization, rep=yesterday_only, entered_by=yesterday_only.user,
                                 activity_type=org_a.types["meetings"], quantity=1,
                                 date=day - timedelta(days=1))  # fmt: skip
    reminders_send(now=STOCKHOLM_FOUR_PM)
    assert reminded(org_a) == {"rep@alpha.example", yesterday_only.user.email}


def test_the_reminder_runs_on_beat_every_five_minutes():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "quotas.tasks.send_reminders_task")
    assert entry["schedule"] == timedelta(minutes=5)


# In-app -----------------------------------------------------------------------------------------


def notifications_url(org):
    return reverse("quotas:notification-list", kwargs={"org_slug": org.slug})


def notify(org, user, subject, **fields):
    return Notification.objects.create(organization=org.organization, recipient=user, kind=NotificationKind.REMINDER,
                                       key=f"test:{org.slug}:{subject}", subject=subject, body=f"{subject} body",
                                       **fields)  # fmt: skip


def test_the_page_shows_the_members_own_notifications_newest_first_unread_highlighted(client, org_a, org_b):
    older = notify(org_a, org_a.rep.user, "Older", read_at=timezone.now())
    newer = notify(org_a, org_a.rep.user, "Newer")
    notify(org_a, org_a.manager.user, "Not yours")
    notify(org_b, org_a.rep.user, "Other organization")  # never shown under org_a
    Notification.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))
    client.force_login(org_a.rep.user)
    html = client.get(notifications_url(org_a)).content.decode()
    assert html.index("Newer") < html.index("Older")
    assert "Not yours" not in html and "Other organization" not in html
    assert re.search(rf'id="notification-{newer.pk}" class="notification unread"', html)
    assert re.search(rf'id="notification-{older.pk}" class="notification"', html)
    assert "1 unread" in html


def test_mark_all_read(client, org_a, org_b):
    mine = [notify(org_a, org_a.rep.user, f"n{number}") for number in range(3)]
    others = [notify(org_a, org_a.manager.user, "m"), notify(org_b, org_a.rep.user, "b")]
    client.force_login(org_a.rep.user)
    response = client.post(notifications_url(org_a))
    assert response.status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert not any(Notification.objects.get(pk=n.pk).read_at for n in others)
    assert "Mark all read" not in client.get(notifications_url(org_a)).content.decode()


# Queries ------------------------------------------------------------------------------------------


def notification_queries(org, period) -> int:
    """Queries of creating and sending a close's notifications, less the one claim per e-mail."""
    period_close_row = period_close(organization=org.organization, period=period)
    before = len(mail.outbox)
    with CaptureQueriesContext(connection) as queries:
        send_close_notifications_task(period_close_row.pk)
    sent = len(mail.outbox) - before
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    return len(queries) - sent - len(inserts), sent


def test_close_notification_queries_do_not_grow_with_reps(org_a, weeks, frozen_now):
    small, small_sent = notification_queries(org_a, weeks[LAST_WEEK - timedelta(days=7)])
    MembershipFactory.create_batch(20, organization=org_a.organization, role=Role.REP, team=org_a.team)
    large, large_sent = notification_queries(org_a, weeks[LAST_WEEK])
    assert large_sent == small_sent + 20
    assert large == small


def test_notification_page_queries_do_not_grow(client, org_a):
    client.force_login(org_a.rep.user)
    notify(org_a, org_a.rep.user, "first")
    with CaptureQueriesContext(connection) as one:
        client.get(notifications_url(org_a))
    for number in range(15):
        notify(org_a, org_a.rep.user, f"more {number}")
    with CaptureQueriesContext(connection) as many:
        client.get(notifications_url(org_a))
    assert len(many) == len(one)


def test_an_admin_turns_reminders_on_in_the_calendar(client, org_a):
    client.force_login(org_a.admin.user)
    url = reverse("quotas:calendar", kwargs={"org_slug": org_a.slug})
    payload = {"action": "settings", "working_weekdays": [0, 1, 2, 3, 4], "exceeded_tier_percent": 120, "close_grace_minutes": 120}
    client.post(url, {**payload, "reminder_enabled": "on"})
    assert QuotaSettings.objects.get(organization=org_a.organization).reminder_enabled
    assert "Reminder at 16:00" in client.get(url).content.decode()
    client.post(url, payload)
    assert not QuotaSettings.objects.get(organization=org_a.organization).reminder_enabled
