"""Thin Celery tasks of the quotas app: they find the work and hand ids to services."""

import logging

from celery import shared_task
from django.utils import timezone

from accounts.models import Organization

from .models import Period
from .services.calendar import holidays_apply_coming_years
from .services.close import period_close_attempt, periods_due
from .services.notifications import close_failed_alert_send, close_notifications_send, reminders_send
from .services.periods import periods_ensure_ahead

logger = logging.getLogger(__name__)

# Below the broker's visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS), so that a message is
# never handed to a second worker while the first is still within its time limit.
CLOSE_SOFT_TIME_LIMIT = 240
CLOSE_TIME_LIMIT = 300


@shared_task
def ensure_periods_task() -> int:
    """Create the periods every organization will need, and the coming year's public holidays of the country it
    applied (idempotent: a missed or doubled run is harmless). Returns how many periods were created."""
    created = 0
    for organization in Organization.objects.order_by("pk"):
        created += periods_ensure_ahead(organization=organization)
        try:
            holidays_apply_coming_years(organization=organization)
        except Exception:  # one organization's calendar must not hold up the next organizations' periods
            logger.exception("Applying the coming years' holidays of %s failed", organization.slug)
    return created


@shared_task
def close_due_periods_task() -> int:
    """Every 5 minutes (UTC interval): fan out one task per due organization-period. A doubled or missed tick
    is harmless: the close is idempotent, and what is due stays due until it is closed."""
    now = timezone.now()
    sent = 0
    for organization in Organization.objects.order_by("pk"):
        for period in periods_due(organization=organization, now=now):
            close_period_task.delay(period.pk)  # sent at once: workers start while the sweep goes on
            sent += 1
    return sent


@shared_task(
    acks_late=True,  # redelivered if the worker dies mid-close: safe, because the close is idempotent
    reject_on_worker_lost=True,
    soft_time_limit=CLOSE_SOFT_TIME_LIMIT,
    time_limit=CLOSE_TIME_LIMIT,
)
def close_period_task(period_id: int) -> int | None:
    period = Period.objects.select_related("organization").get(pk=period_id)
    period_close_row = period_close_attempt(organization=period.organization, period=period)
    return period_close_row.pk if period_close_row else None


# Notifications: each is written once (unique key) before its e-mail is sent, so running a task twice, or a
# redelivered message (acks_late), sends nothing twice.


# An SMTP failure (OSError) releases the claim on that notification and is retried with a backoff.
NOTIFY_RETRY = {"autoretry_for": (OSError,), "retry_backoff": 60, "max_retries": 5}


@shared_task(acks_late=True, reject_on_worker_lost=True, **NOTIFY_RETRY)
def send_close_notifications_task(period_close_id: int) -> int:
    """After a close commits: digests to managers and HR, a summary to each rep."""
    return close_notifications_send(period_close_id=period_close_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, **NOTIFY_RETRY)
def send_close_failed_alert_task(period_id: int, attempts: int, stopped_at: int) -> int:
    """After a period stopped as close_failed: tell the organization's admins and owners."""
    return close_failed_alert_send(period_id=period_id, attempts=attempts, stopped_at=stopped_at)


@shared_task
def send_reminders_task() -> int:
    """Every 5 minutes (UTC interval): reminders to reps who logged nothing by 16:00 local on a working day."""
    return reminders_send()
