"""The lock on entries: which dates of an organization are closed. The trigger enforces it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User

from ..models import EntryLock


@transaction.atomic
def entries_lock(*, organization: Organization, start: date, end: date, actor: User | None = None, reason: str = "") -> EntryLock:
    """Lock [start, end] of an organization: from now on no write can change entries dated inside it."""
    if end < start:
        raise ValidationError(_("The range ends before it starts."))
    return EntryLock.objects.create(
        organization=organization, start_date=start, end_date=end, locked_by=actor, reason=reason
    )


@transaction.atomic
def entries_unlock(*, organization: Organization, start: date, end: date, actor: User, reason: str) -> int:
    """Lift every lock overlapping [start, end] (an audited reopen): who and why are kept on the lock rows."""
    if not reason.strip():
        raise ValidationError(_("Say why the period is reopened."))
    return EntryLock.objects.filter(
        organization=organization, unlocked_at__isnull=True, start_date__lte=end, end_date__gte=start
    ).update(unlocked_at=timezone.now(), unlocked_by=actor, unlock_reason=reason.strip())


def date_is_locked(*, organization: Organization, day: date) -> bool:
    return EntryLock.objects.filter(
        organization=organization, unlocked_at__isnull=True, start_date__lte=day, end_date__gte=day
    ).exists()
