"""The close: freeze a period's results, flag reps, lock the period's entries — once, on time, atomically.

A period is due when its end (local midnight after its last day, in the organization's zone) plus the
organization's grace has passed. Closing one period is one transaction: claim it, compute every rep × line
result with the set-based progress selector (one grouped query over the entries), bulk-insert the frozen
results, the per-rep summaries with streaks and the flags, lock the entries, mark the period closed. A crash
before commit leaves nothing, and the next sweep does it again.
"""

import logging
import traceback
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from activities.services.locks import entries_lock

from ..models import (
    Flag,
    FlagKind,
    FlagStatus,
    Period,
    PeriodClose,
    PeriodResult,
    PeriodStatus,
    RepPeriodSummary,
    ResultStatus,
)
from ..selectors.calendar import quota_settings_get
from ..selectors.progress import Progress, Status, progress_for_period

logger = logging.getLogger(__name__)

MAX_CLOSE_ATTEMPTS = 3
# Closes of periods that ended longer ago than this (a backfill, e.g. the demo's history on the first
# `make run`) keep their results and flags but e-mail nobody: a digest about last spring helps no one.
NOTIFY_WITHIN_DAYS = 7

# A closed result has no pace: it is below the minimum, met or exceeded.
FINAL_STATUS = {
    Status.NO_TARGET: ResultStatus.NO_TARGET,
    Status.MET: ResultStatus.MET,
    Status.EXCEEDED: ResultStatus.EXCEEDED,
}


def close_cutoff(*, organization: Organization, now: datetime, grace_minutes: int):
    """Periods whose last day is before this local date are due: their end + grace has passed."""
    return (now - timedelta(minutes=grace_minutes)).astimezone(organization.zone).date()


def periods_due(*, organization: Organization, now: datetime | None = None):
    """The organization's open periods whose end plus grace has passed, oldest first."""
    now = now or timezone.now()
    grace = quota_settings_get(organization=organization).close_grace_minutes
    cutoff = close_cutoff(organization=organization, now=now, grace_minutes=grace)
    return Period.objects.filter(organization=organization, status=PeriodStatus.OPEN, end__lt=cutoff).order_by(
        "end", "kind"
    )


def _reps_of_period(*, organization: Organization, period: Period):
    """Every rep employed during the period, whether or not they ever logged in (deactivated ones too)."""
    return list(
        Membership.objects.filter(organization=organization, role=Role.REP)
        .filter(Q(employment_start__isnull=True) | Q(employment_start__lte=period.end))
        .filter(Q(employment_end__isnull=True) | Q(employment_end__gte=period.start))
        .filter(Q(is_active=True) | Q(deactivated_at__date__gte=period.start))
        .select_related("user", "team")
        .order_by("pk")
    )


def _claim(*, period_id: int) -> Period | None:
    """Lock the period row for this transaction; None when another worker holds it (PostgreSQL) ."""
    periods = Period.objects.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
    return periods.filter(pk=period_id).first()


def _result(*, period_close: PeriodClose, rep, progress: Progress) -> PeriodResult:
    status = FINAL_STATUS.get(progress.status, ResultStatus.BELOW_MINIMUM)
    return PeriodResult(
        organization_id=period_close.organization_id,
        period_close=period_close,
        period_id=period_close.period_id,
        rep=rep,
        version=progress.version,
        line=progress.line,
        label=progress.label[:200],
        target_full=progress.target.full,
        target=progress.target.value,
        explanation=progress.target.explanation[:300],
        actual=progress.actual,
        attainment=progress.attainment,
        status=status,
    )


def _previous_streaks(*, organization: Organization, period: Period) -> dict[int, int]:
    """Per rep: the streak of the previous period of the same kind (it ends the day before this one starts)."""
    return dict(
        RepPeriodSummary.objects.filter(
            organization=organization,
            period__kind=period.kind,
            period__end=period.start - timedelta(days=1),
            period_close__superseded_at__isnull=True,
        ).values_list("rep_id", "streak")
    )


@transaction.atomic
def period_close(
    *, organization: Organization, period: Period, actor: User | None = None, reason: str = "", reclose: bool = False
) -> PeriodClose | None:
    """Close `period` (or, with reclose=True, replace its results). None when there is nothing to do:
    another worker holds it, or it is already closed."""
    period = _claim(period_id=period.pk)
    if period is None or period.organization_id != organization.pk:
        return None
    if period.status == PeriodStatus.CLOSED and not reclose:
        return None
    now = timezone.now()
    closes = list(PeriodClose.objects.filter(period=period))
    current = next((c for c in closes if c.superseded_at is None), None)
    if current is not None:
        current.superseded_at = now
        current.save(update_fields=["superseded_at"])
        Flag.objects.filter(period_close=current, status=FlagStatus.OPEN).update(status=FlagStatus.WITHDRAWN)
    number = max((c.number for c in closes), default=0) + 1
    period_close_row = PeriodClose.objects.create(
        organization=organization, period=period, number=number, actor=actor, reason=reason
    )
    reps = _reps_of_period(organization=organization, period=period)
    progress = progress_for_period(
        organization=organization, reps=reps, kind=period.kind, start=period.start, end=period.end,
        day=period.end + timedelta(days=1),
    )  # fmt: skip
    results, summaries = [], []
    streaks = _previous_streaks(organization=organization, period=period)
    for rep_progress in progress:
        rep = rep_progress.rep
        rep_results = [
            _result(period_close=period_close_row, rep=rep, progress=p)
            for p in [*rep_progress.lines, *([rep_progress.points] if rep_progress.points else [])]
        ]
        if not rep_results:
            continue
        results.extend(rep_results)
        with_target = [r for r in rep_results if r.status != ResultStatus.NO_TARGET]
        plan_met = bool(with_target) and all(r.status != ResultStatus.BELOW_MINIMUM for r in with_target)
        summaries.append(
            RepPeriodSummary(
                organization=organization, period_close=period_close_row, period=period, rep=rep, plan_met=plan_met,
                streak=streaks.get(rep.pk, 0) + 1 if plan_met else 0,
            )
        )  # fmt: skip
    PeriodResult.objects.bulk_create(results)
    Flag.objects.bulk_create(_flags(period_close=period_close_row, results=results, summaries=summaries))
    RepPeriodSummary.objects.bulk_create(summaries)
    if results:
        # Only periods that had targets freeze their entries: closing a day without daily plans locks nothing.
        entries_lock(organization=organization, start=period.start, end=period.end, actor=actor, reason=f"close {period}")
    period.status = PeriodStatus.CLOSED
    period.closed_at = now
    period.close_attempts = 0
    period.last_error = ""
    period.save(update_fields=["status", "closed_at", "close_attempts", "last_error"])
    if period.end >= organization.local_today() - timedelta(days=NOTIFY_WITHIN_DAYS):
        # After commit only: a close that rolls back notifies nobody. (Imported here: the tasks import this module.)
        from ..tasks import send_close_notifications_task

        send_close_notifications_task.delay_on_commit(period_close_row.pk)
    return period_close_row


def _flags(*, period_close: PeriodClose, results: list[PeriodResult], summaries: list[RepPeriodSummary]) -> list[Flag]:
    flags = [
        Flag(
            organization_id=period_close.organization_id, period_close=period_close, period_id=period_close.period_id,
            rep=result.rep, result=result,
            kind=FlagKind.BELOW_MINIMUM if result.status == ResultStatus.BELOW_MINIMUM else FlagKind.EXCEEDED,
        )  # fmt: skip
        for result in results
        if result.status in (ResultStatus.BELOW_MINIMUM, ResultStatus.EXCEEDED)
    ]
    reps_with_a_target = {result.rep_id for result in results if result.target is not None}
    flags += [
        Flag(
            organization_id=period_close.organization_id, period_close=period_close, period_id=period_close.period_id,
            rep=summary.rep, kind=FlagKind.PLAN_NOT_MET,
        )  # fmt: skip
        for summary in summaries
        if not summary.plan_met and summary.rep_id in reps_with_a_target
    ]
    return flags


def period_close_failed(*, period_id: int, error: str) -> Period:
    """Count a failed attempt (in its own transaction); the third stops the period as close_failed."""
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period_id)
        period.close_attempts += 1
        period.last_error = error[-2000:]
        if period.close_attempts >= MAX_CLOSE_ATTEMPTS:
            stopping = period.status != PeriodStatus.CLOSE_FAILED
            period.status = PeriodStatus.CLOSE_FAILED
            logger.error("Closing %s failed %s times: stopped. %s", period, period.close_attempts, error)
            if stopping:  # alert the admins once, after this commits
                from ..tasks import send_close_failed_alert_task

                stopped_at = int(timezone.now().timestamp())
                send_close_failed_alert_task.delay_on_commit(period.pk, period.close_attempts, stopped_at)
        period.save(update_fields=["close_attempts", "last_error", "status"])
    return period


def period_close_attempt(*, organization: Organization, period: Period) -> PeriodClose | None:
    """Close a due period; a failure is counted (three stop the period) and raised to the caller."""
    try:
        return period_close(organization=organization, period=period)
    except IntegrityError:
        # Two closers without row locks (SQLite): the one-current-close constraint let only the first commit.
        if Period.objects.filter(pk=period.pk, status=PeriodStatus.CLOSED).exists():
            return None
        period_close_failed(period_id=period.pk, error=traceback.format_exc())
        raise
    except Exception:
        period_close_failed(period_id=period.pk, error=traceback.format_exc())
        raise


def organization_close_due(*, organization: Organization, now: datetime | None = None) -> list[PeriodClose]:
    """Close every due period of one organization, synchronously (the command and the tests use this)."""
    closed = []
    for period in periods_due(organization=organization, now=now):
        result = period_close_attempt(organization=organization, period=period)
        if result is not None:
            closed.append(result)
    return closed
