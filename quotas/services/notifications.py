"""Notifications and their e-mails: after a close, when a close fails, and the 16:00 reminder.

After a close commits, each person concerned gets one in-app notification and one e-mail:
- each manager: a digest of the teams they lead (team attainment per target, who met their plan), the reps
  who need attention (flags), and those who exceeded a target (recognition);
- each rep with results: their results, their streak, their flags;
- each HR member: the results of the reps whose probation overlaps the period.

Exactly once: a notification's `key` is unique ("rep_summary:<close id>:<user id>"), and the rows are written
(ignoring those that exist) before anything is sent. Sending claims a row by setting `emailed_at` with a
conditional UPDATE before the e-mail leaves, so two runs at once, or one after the other, never e-mail the
same row twice; a failed send releases the claim for the next run. A re-close is a new close: new keys, new
notifications. The text is rendered once, in the recipient's language (their own, else the organization's;
accounts.selectors.language_for), from the plain-text templates
under templates/quotas/email/, and stored on the row: the in-app page shows what the e-mail said.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, Organization, Team, TeamManager, User
from accounts.roles import Role
from accounts.selectors import language_for
from activities.models import ActivityEntry

from ..models import (
    Flag,
    FlagKind,
    Leave,
    LeaveStatus,
    Notification,
    NotificationKind,
    Period,
    PeriodClose,
    PeriodResult,
    QuotaSettings,
    RepPeriodSummary,
)
from ..period_labels import period_label
from ..selectors.calendar import calendar_get

# Reps who logged nothing on a working day are reminded from this local time on.
REMINDER_FROM = time(16, 0)
# Who gets the digest of a team they lead.
TEAM_LEAD_ROLES = (Role.MANAGER, Role.ADMIN, Role.OWNER)
CLOSE_KINDS = (NotificationKind.REP_SUMMARY, NotificationKind.MANAGER_DIGEST, NotificationKind.HR_DIGEST)
SUBJECT_MAX = Notification._meta.get_field("subject").max_length


# Building blocks ------------------------------------------------------------------------------------


@dataclass
class Draft:
    """A notification to write, unless its key exists: the kind names its templates."""

    recipient: User
    kind: str
    key: str
    context: dict


def _site_url(name: str, organization: Organization) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"org_slug": organization.slug})


def _tidy(text: str) -> str:
    """Plain text from a template: no trailing spaces, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _notifications_create(*, organization: Organization, period: Period | None, drafts: list[Draft]) -> int:
    """Render and write the drafts whose key does not exist yet (a concurrent run's rows win)."""
    if not drafts:
        return 0
    rows = []
    common = {
        "organization": organization,
        "period": period,
        "notifications_url": _site_url("quotas:notification-list", organization),
    }
    labels = {}  # the period's label in each language used
    for draft in drafts:
        language = language_for(user=draft.recipient, organization=organization)
        with translation.override(language):
            if language not in labels:
                labels[language] = period_label(period) if period else ""
            context = {**common, "period_label": labels[language], "recipient": draft.recipient, **draft.context}
            subject = render_to_string(f"quotas/email/{draft.kind}_subject.txt", context)
            body = render_to_string(f"quotas/email/{draft.kind}_body.txt", context)
            rows.append(
                Notification(
                    organization=organization, recipient=draft.recipient, kind=draft.kind, period=period,
                    key=draft.key, subject=" ".join(subject.split())[:SUBJECT_MAX], body=_tidy(body),
                )
            )  # fmt: skip
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _existing_keys(*, organization: Organization, keys: Q) -> set[str]:
    return set(Notification.objects.filter(keys, organization=organization).values_list("key", flat=True))


def notifications_email(*, organization: Organization, keys: Q) -> int:
    """E-mail each of the organization's notifications matching `keys` that is not e-mailed yet; returns how
    many were sent. Each row is claimed (emailed_at set where it is still empty) before its e-mail leaves."""
    pending = list(
        Notification.objects.filter(keys, organization=organization, emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )
    if not pending:
        return 0
    sent = 0
    with get_connection() as connection:
        for notification in pending:
            claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if not claimed:
                continue  # another run is sending it
            message = EmailMessage(
                notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email],
                connection=connection,
            )  # fmt: skip
            try:
                message.send()
            except Exception:
                Notification.objects.filter(pk=notification.pk).update(emailed_at=None)  # the next run sends it
                raise
            sent += 1
    return sent


# After a close --------------------------------------------------------------------------------------


@dataclass
class RepReport:
    """One rep's part of a close: results (flagged ones carry their flags), plan met, streak."""

    rep: Membership
    results: list[PeriodResult] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    plan_met: bool | None = None  # None: no target in the period (no working day for the rep)
    streak: int = 0

    @property
    def attention(self) -> list[Flag]:
        """Flags that are problems: below a minimum, plan not met."""
        return [flag for flag in self.flags if flag.kind != FlagKind.EXCEEDED]

    @property
    def exceeded(self) -> list[Flag]:
        """Flags that are recognition."""
        return [flag for flag in self.flags if flag.kind == FlagKind.EXCEEDED]


@dataclass
class LineTotal:
    """A team's sum over one target (by label), of the reps who had it."""

    label: str
    money: bool
    actual: Decimal = Decimal(0)
    target: Decimal = Decimal(0)

    @property
    def attainment(self) -> Decimal | None:
        return (self.actual / self.target * 100).quantize(Decimal("1")) if self.target else None


@dataclass
class TeamReport:
    team: Team
    reps: list[RepReport]

    @property
    def met(self) -> int:
        return sum(1 for report in self.reps if report.plan_met)

    @property
    def lines(self) -> list[LineTotal]:
        totals: dict[str, LineTotal] = {}
        for report in self.reps:
            for result in report.results:
                if result.target is None:
                    continue
                money = result.line is not None and result.line.activity_type.is_money
                total = totals.setdefault(result.label, LineTotal(label=result.label, money=money))
                total.actual += result.actual
                total.target += result.target
        return list(totals.values())


def _close_keys(period_close: PeriodClose) -> Q:
    keys = Q()
    for kind in CLOSE_KINDS:
        keys |= Q(kind=kind, period_id=period_close.period_id, key__startswith=f"{kind}:{period_close.pk}:")
    return keys


def _rep_reports(*, period_close: PeriodClose) -> list[RepReport]:
    """Every rep with results in the close, with results, flags and summary (three queries in all)."""
    organization = period_close.organization
    results = (
        PeriodResult.objects.filter(organization=organization, period_close=period_close)
        .select_related("rep__user", "rep__team", "line__activity_type")
        .order_by("rep_id", F("line__activity_type__position").asc(nulls_last=True), "line_id")
    )
    reports: dict[int, RepReport] = {}
    by_pk = {}
    for result in results:
        reports.setdefault(result.rep_id, RepReport(rep=result.rep)).results.append(result)
        by_pk[result.pk] = result
    summaries = RepPeriodSummary.objects.filter(organization=organization, period_close=period_close)
    for rep_id, plan_met, streak in summaries.values_list("rep_id", "plan_met", "streak"):
        if rep_id in reports:
            reports[rep_id].plan_met, reports[rep_id].streak = plan_met, streak
    for flag in Flag.objects.filter(organization=organization, period_close=period_close).order_by("pk"):
        if flag.rep_id in reports:
            flag.result = by_pk.get(flag.result_id)  # already loaded: no query per flag
            reports[flag.rep_id].flags.append(flag)
    return list(reports.values())


def _reachable(membership: Membership) -> bool:
    return membership.is_active and membership.user.is_active


def _probation_overlaps(rep: Membership, period: Period) -> bool:
    if rep.probation_end is None or rep.probation_end < period.start:
        return False
    return rep.employment_start is None or rep.employment_start <= period.end


def _changed_reps(*, period_close: PeriodClose, reports: list[RepReport]) -> set[int] | None:
    """For a re-close: the reps whose results differ from those of the close it replaced (a correction changes one
    rep's; the others were told already). None for a first close: everyone is new. One query."""
    if period_close.number == 1:
        return None
    before = defaultdict(set)
    replaced = PeriodResult.objects.filter(
        organization=period_close.organization, period=period_close.period, period_close__number=period_close.number - 1
    )  # fmt: skip
    for rep_id, label, actual, status in replaced.values_list("rep_id", "label", "actual", "status"):
        before[rep_id].add((label, actual, status))
    now = {report.rep.pk: {(r.label, r.actual, r.status) for r in report.results} for report in reports}
    return {rep_id for rep_id in before.keys() | now.keys() if before.get(rep_id) != now.get(rep_id)}


def _close_drafts(
    *, period_close: PeriodClose, reports: list[RepReport], changed: set[int] | None
) -> list[Draft]:
    """The close's e-mails: a summary to each rep, a digest to each manager over their teams, a probation digest to
    HR. After a re-close (`changed` given) only to those it concerns: the reps whose results changed, the managers
    of their teams, and HR when one of them is in probation — each with the whole, updated picture."""
    organization, period = period_close.organization, period_close.period

    def concerns(reps: list[RepReport]) -> bool:
        return changed is None or any(report.rep.pk in changed for report in reps)

    by_name = sorted(reports, key=lambda report: report.rep.user.display_name.lower())
    links = {
        "flags_url": _site_url("quotas:flag-list", organization),
        "progress_url": _site_url("quotas:my-progress", organization),
        "probation_url": _site_url("quotas:probation-list", organization),
    }
    drafts = [
        Draft(recipient=report.rep.user, kind=NotificationKind.REP_SUMMARY,
              key=f"{NotificationKind.REP_SUMMARY}:{period_close.pk}:{report.rep.user_id}",
              context={"report": report, **links})  # fmt: skip
        for report in by_name
        if _reachable(report.rep) and concerns([report])
    ]
    # Managers: one digest over the teams they lead (of those with results in this close).
    by_team = defaultdict(list)
    for report in by_name:
        if report.rep.team_id is not None:
            by_team[report.rep.team_id].append(report)
    leads = (
        TeamManager.objects.filter(
            organization=organization, team_id__in=list(by_team), membership__is_active=True,
            membership__user__is_active=True, membership__role__in=TEAM_LEAD_ROLES,
        )  # fmt: skip
        .select_related("membership__user", "team")
        .order_by("team__name", "pk")
    )
    teams_of: dict[int, tuple[User, list[TeamReport]]] = {}
    for link in leads:
        user = link.membership.user
        teams_of.setdefault(user.pk, (user, []))[1].append(TeamReport(team=link.team, reps=by_team[link.team_id]))
    for user, teams in teams_of.values():
        team_reps = [report for team in teams for report in team.reps]
        if not concerns(team_reps):
            continue
        drafts.append(
            Draft(recipient=user, kind=NotificationKind.MANAGER_DIGEST,
                  key=f"{NotificationKind.MANAGER_DIGEST}:{period_close.pk}:{user.pk}",
                  context={
                      "teams": teams,
                      "attention": [report for report in team_reps if report.attention],
                      "exceeded": [report for report in team_reps if report.exceeded],
                      **links,
                  })
        )  # fmt: skip
    # HR: the reps in probation during the period.
    on_probation = [report for report in by_name if _probation_overlaps(report.rep, period)]
    if on_probation and concerns(on_probation):
        hr_members = Membership.objects.filter(
            organization=organization, role=Role.HR, is_active=True, user__is_active=True
        ).select_related("user")
        drafts += [
            Draft(recipient=member.user, kind=NotificationKind.HR_DIGEST,
                  key=f"{NotificationKind.HR_DIGEST}:{period_close.pk}:{member.user_id}",
                  context={"reports": on_probation, **links})  # fmt: skip
            for member in hr_members.order_by("pk")
        ]
    return drafts


def close_notifications_create(*, period_close: PeriodClose) -> int:
    """Write the close's notifications that do not exist yet; returns how many were new (or raced)."""
    existing = _existing_keys(organization=period_close.organization, keys=_close_keys(period_close))
    reports = _rep_reports(period_close=period_close)
    changed = _changed_reps(period_close=period_close, reports=reports)
    drafts = [d for d in _close_drafts(period_close=period_close, reports=reports, changed=changed)
              if d.key not in existing]  # fmt: skip
    return _notifications_create(organization=period_close.organization, period=period_close.period, drafts=drafts)


def close_notifications_send(*, period_close_id: int) -> int:
    """After a close commits: create its notifications (once) and e-mail those not e-mailed yet.

    A close replaced by a re-close before this ran notifies nothing: the re-close notifies its own results."""
    period_close = PeriodClose.objects.select_related("organization", "period").filter(pk=period_close_id).first()
    if period_close is None or period_close.superseded_at is not None:
        return 0
    close_notifications_create(period_close=period_close)
    return notifications_email(organization=period_close.organization, keys=_close_keys(period_close))


# A close that failed for good -----------------------------------------------------------------------


def close_failed_alert_send(*, period_id: int, attempts: int, stopped_at: int) -> int:
    """Tell the organization's admins and owners that closing a period stopped: once per stop, keyed on the
    period, its attempt count and when it stopped (a retried period that fails again alerts again)."""
    period = Period.objects.select_related("organization").get(pk=period_id)
    organization = period.organization
    prefix = f"{NotificationKind.CLOSE_FAILED}:{period.pk}:{attempts}:{stopped_at}:"
    keys = Q(kind=NotificationKind.CLOSE_FAILED, period=period, key__startswith=prefix)
    existing = _existing_keys(organization=organization, keys=keys)
    admins = Membership.objects.filter(
        organization=organization, role__in=(Role.ADMIN, Role.OWNER), is_active=True, user__is_active=True
    ).select_related("user")
    drafts = [
        Draft(recipient=member.user, kind=NotificationKind.CLOSE_FAILED, key=f"{prefix}{member.user_id}",
              context={"attempts": attempts, "periods_url": _site_url("quotas:period-list", organization)})
        for member in admins.order_by("pk")
        if f"{prefix}{member.user_id}" not in existing
    ]  # fmt: skip
    _notifications_create(organization=organization, period=period, drafts=drafts)
    return notifications_email(organization=organization, keys=keys)


# Reminders at 16:00 -------------------------------------------------------------------------------


def reminders_send(*, now: datetime | None = None) -> int:
    """Every organization with reminders on where it is 16:00 or later on a working day: remind each rep who
    has logged nothing today, once per rep and day. Returns how many e-mails were sent."""
    now = now or timezone.now()
    sent = 0
    enabled = QuotaSettings.objects.filter(reminder_enabled=True).select_related("organization").order_by("pk")
    for quota_settings in enabled:
        sent += organization_reminders_send(
            organization=quota_settings.organization, quota_settings=quota_settings, now=now
        )
    return sent


def organization_reminders_send(*, organization: Organization, quota_settings: QuotaSettings, now: datetime) -> int:
    local = now.astimezone(organization.zone)
    day = local.date()
    if local.time() < REMINDER_FROM:
        return 0
    if not calendar_get(organization=organization, start=day, end=day, settings=quota_settings).is_working_day(day):
        return 0
    prefix = f"{NotificationKind.REMINDER}:{day.isoformat()}:"
    keys = Q(kind=NotificationKind.REMINDER, key__startswith=prefix)
    existing = _existing_keys(organization=organization, keys=keys)
    reps = (
        Membership.objects.filter(organization=organization, role=Role.REP, is_active=True, user__is_active=True)
        .filter(Q(employment_start__isnull=True) | Q(employment_start__lte=day))
        .filter(Q(employment_end__isnull=True) | Q(employment_end__gte=day))
        .exclude(Exists(ActivityEntry.objects.filter(organization=organization, rep=OuterRef("pk"), date=day)))
        .exclude(
            Exists(
                Leave.objects.filter(
                    organization=organization, rep=OuterRef("pk"), status=LeaveStatus.APPROVED, start__lte=day,
                    end__gte=day,
                )  # fmt: skip
            )
        )
        .select_related("user")
        .order_by("pk")
    )
    today_url = _site_url("activities:today", organization)
    drafts = [
        Draft(recipient=rep.user, kind=NotificationKind.REMINDER, key=f"{prefix}{rep.pk}",
              context={"day": day, "today_url": today_url})  # fmt: skip
        for rep in reps
        if f"{prefix}{rep.pk}" not in existing
    ]
    _notifications_create(organization=organization, period=None, drafts=drafts)
    return notifications_email(organization=organization, keys=keys)


# In-app ---------------------------------------------------------------------------------------------


@transaction.atomic
def notifications_mark_read(*, organization: Organization, recipient: User) -> int:
    """Mark every unread notification of the member in this organization read; returns how many."""
    return Notification.objects.filter(organization=organization, recipient=recipient, read_at__isnull=True).update(
        read_at=timezone.now()
    )
