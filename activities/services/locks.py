"""The lock on entries: which dates of an organization are closed. The trigger enforces it."""

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User

from ..models import EntryLock
from ..selectors import entry_lock_ranges


def entries_lock(*, organization: Organization, start: date, end: date, actor: User | None = None, reason: str = "") -> EntryLock:
    """Lock [start, end] of an organization: from now on no write can change entries dated inside it.

    One INSERT, so no transaction of its own: the close calls it inside its transaction."""
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


class LockedDates:
    """Locked ranges loaded once, so that many dates can be tested without a query each (the import).

    `day in locked` answers in O(log n): overlapping and adjacent ranges are merged, then bisected.
    """

    def __init__(self, ranges: Iterable[tuple[date, date]]):
        merged: list[list[date]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1] + timedelta(days=1):
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def __contains__(self, day: date) -> bool:
        index = bisect_right(self._starts, day) - 1
        return index >= 0 and day <= self._ends[index]


def locked_dates(*, organization: Organization, start: date, end: date) -> LockedDates:
    """The organization's locked dates within [start, end], for testing many dates at once."""
    return LockedDates(entry_lock_ranges(organization=organization, start=start, end=end))


def date_is_locked(*, organization: Organization, day: date) -> bool:
    return day in locked_dates(organization=organization, start=day, end=day)
