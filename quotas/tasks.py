"""Thin Celery tasks of the quotas app: they find the work and hand ids to services."""

from celery import shared_task

from accounts.models import Organization

from .services.periods import periods_ensure_ahead


@shared_task
def ensure_periods_task() -> int:
    """Create the periods every organization will need (idempotent: a missed or doubled run is harmless)."""
    return sum(
        periods_ensure_ahead(organization=organization) for organization in Organization.objects.order_by("pk")
    )
