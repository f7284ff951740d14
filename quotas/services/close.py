"""The close: freeze a period's results, flag reps, lock the period's entries — once, on time, atomically.

A period is due when its end (local midnight after its last day, in the organization's zone) plus the
organization's grace has passed. Closing one period is one transaction: claim it, compute every rep's
targets (the same pro-rating the live progress uses), then freeze every rep × line result with one
INSERT … SELECT that groups the entries, and the per-rep summaries with streaks and the flags with one
statement each (close_results.py), lock the entries, mark the period closed. A constant number of statements
whatever the number of reps. A crash before commit leaves nothing, and the next sweep does it again.

A re-close (an approved correction, an admin's reopen) goes through the same function and replaces the period's
results; reclose.py says what it keeps of the close it replaces (the targets, the flags' follow-up, the streaks).
"""

import logging
import traceback
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from activities.services.locks import entries_lock

from ..models import Flag, FlagStatus, Period, PeriodClose, PeriodStatus, QuotaSettings
from ..selectors.calendar import quota_settings_get
from ..selectors.progress import targets_for_period
from .close_results import flags_insert, results_insert, summaries_insert, targets_asked
from .reclose import flags_carry_over, later_streaks_update, targets_asked_before

logger = logging.getLogger(__name__)

MAX_CLOSE_ATTEMPTS = 3
# Closes of periods that ended longer ago than this (a backfill, e.g. the demo's history on the first
# `make run`) keep their results and flags but e-mail nobody: a digest about last spring helps no one.
NOTIFY_WITHIN_DAYS = 7

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
        .order_by("pk")
    )


def _claim(*, period_id: int) -> Period | None:
    """Lock the period row for this transaction; None when another worker holds it (PostgreSQL).

    The same query brings the organization's quota settings and the number of the period's last close."""
    last_close = PeriodClose.objects.filter(period=OuterRef("pk")).order_by("-number").values("number")[:1]
    periods = Period.objects.select_for_update(
        skip_locked=connection.features.has_select_for_update_skip_locked, of=("self",)
    )
    return (
        periods.select_related("organization__quota_settings")
        .annotate(last_close_number=Subquery(last_close))
        .filter(pk=period_id)
        .first()
    )


def _settings_of(period: Period) -> QuotaSettings:
    try:
        return period.organization.quota_settings
    except QuotaSettings.DoesNotExist:
        return QuotaSettings(organization=period.organization)  # the defaults, as quota_settings_get gives


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
    settings = _settings_of(period)
    replaced, asked = None, {}
    if period.last_close_number is not None:
        # A re-close: the current close becomes history, and so do its open flags; what it asked stays (reclose.py).
        replaced = PeriodClose.objects.get(period=period, superseded_at__isnull=True)
        asked = targets_asked_before(period_close_id=replaced.pk)
        Flag.objects.filter(period_close=replaced, status=FlagStatus.OPEN).update(status=FlagStatus.WITHDRAWN)
        PeriodClose.objects.filter(pk=replaced.pk).update(superseded_at=now)
    # The close record first: on a database without row locks it is the claim (one current close per period).
    period_close_row = PeriodClose.objects.create(
        organization=organization, period=period, number=(period.last_close_number or 0) + 1, actor=actor,
        reason=reason,
    )  # fmt: skip
    # Every rep's targets; in a re-close only those of reps who joined after the replaced close (entered later with
    # an earlier employment start): a rep it had without a target keeps none, whatever their team or plans say now.
    reps = _reps_of_period(organization=organization, period=period)
    if replaced is not None:
        reps = [rep for rep in reps if rep.created_at > replaced.created_at and rep.pk not in asked]
    if reps:
        asked |= targets_asked(
            targets_for_period(organization=organization, reps=reps, kind=period.kind, start=period.start,
                               end=period.end, settings=settings)
        )  # fmt: skip
    if asked:
        results_insert(
            organization_id=organization.pk, period_close_id=period_close_row.pk, period_id=period.pk,
            start=period.start, end=period.end, exceeded_tier=Decimal(settings.exceeded_tier_percent) / 100,
            asked=asked,
        )  # fmt: skip
        summaries_insert(
            organization_id=organization.pk, period_close_id=period_close_row.pk, kind=period.kind, start=period.start
        )
        flags_insert(period_close_id=period_close_row.pk, now=now)
        if replaced is not None:
            later_streaks_update(replaced_close_id=replaced.pk, period_close_id=period_close_row.pk, period=period)
            flags_carry_over(replaced_close_id=replaced.pk, period_close_id=period_close_row.pk)
        # Only periods that had targets freeze their entries: closing a day without daily plans locks nothing.
        entries_lock(organization=organization, start=period.start, end=period.end, actor=actor, reason=f"close {period}")
    Period.objects.filter(pk=period.pk).update(
        status=PeriodStatus.CLOSED, closed_at=now, close_attempts=0, last_error=""
    )
    if period.end >= organization.local_today() - timedelta(days=NOTIFY_WITHIN_DAYS):
        # After commit only: a close that rolls back notifies nobody. (Imported here: the tasks import this module.)
        from ..tasks import send_close_notifications_task

        send_close_notifications_task.delay_on_commit(period_close_row.pk)
    return period_close_row


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
