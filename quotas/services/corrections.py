"""Changing a closed period: a rep's correction (decided by their manager or an admin), an admin's audited
reopen, and the retry of a period whose close failed.

A closed period's entries are locked (activities' lock, enforced by a database trigger). An approved
correction lifts the lock on its day, changes or adds the entry through the activities services (so the
entry's audit trail says who and why), re-closes every closed period containing the day — the re-close
replaces their results and keeps the replaced ones — and locks the day again: one transaction, all or
nothing. A reopen unlocks a period and sets it (and every closed period sharing a day with it) back to
open; the next sweep closes them again, superseding their previous results.
"""

import logging
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from accounts.roles import Role
from activities.models import ActivityEntry, ActivityType, Source
from activities.selectors import entry_lock_ranges, rep_may_be_logged_by
from activities.services.entries import EntryData, check_date, clean_quantity, entry_log, entry_update
from activities.services.locks import LockedDates, entries_lock, entries_unlock, locked_dates

from ..models import Correction, CorrectionStatus, Period, PeriodReopen, PeriodStatus
from ..period_labels import period_label
from ..periods import days_between
from ..selectors.corrections import closed_periods_containing
from .close import period_close

logger = logging.getLogger(__name__)

REASON_MAX = Correction._meta.get_field("reason").max_length
COMMENT_MAX = Correction._meta.get_field("decision_comment").max_length
REOPEN_REASON_MAX = PeriodReopen._meta.get_field("reason").max_length
# The lock rows and the close records keep shorter reasons than a correction or a reopen.
LOCK_REASON_MAX = 200


class PeriodOpenError(ValidationError):
    """The day is in an open period: its entries can simply be changed, no correction is needed."""



def _ensure_admin(actor: Membership) -> None:
    if not actor.has_role_at_least(Role.ADMIN):
        raise PermissionDenied(_("Only admins can reopen a period or retry its close."))


def _required_text(value: str, *, field: str, message: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > max_length:
        message = _("Use at most %(count)s characters (it has %(length)s).")
        raise ValidationError({field: message % {"count": max_length, "length": len(value)}})
    return value


# Requests ---------------------------------------------------------------------------------------


def _check_type(*, organization: Organization, activity_type: ActivityType | None) -> ActivityType:
    if activity_type is None:
        raise ValidationError({"activity_type": _("Choose the type of the missing entry.")})
    if activity_type.organization_id != organization.pk:
        raise ValidationError({"activity_type": _("That activity type does not exist.")})
    if activity_type.is_archived:
        message = _("%(type)s is archived: its entries can no longer change.")
        raise ValidationError({"activity_type": message % {"type": activity_type.name}})
    return activity_type


def _check_closed(*, organization: Organization, day: date) -> Period:
    """The shortest closed period containing a locked `day` (the one the correction is about)."""
    periods = closed_periods_containing(organization=organization, day=day)
    if not periods or day not in locked_dates(organization=organization, start=day, end=day):
        raise PeriodOpenError(
            {
                "date": ValidationError(
                    _("%(date)s is in an open period: no correction is needed, change it on the Today page.")
                    % {"date": date_format(day, "DATE_FORMAT")},
                    code="period_open",
                )
            }
        )
    return periods[0]


@transaction.atomic
def correction_request(
    *,
    organization: Organization,
    actor: Membership,
    quantity,
    reason: str,
    entry: ActivityEntry | None = None,
    activity_type: ActivityType | None = None,
    day: date | None = None,
) -> Correction:
    """A rep asks for a correction of a closed period of their own: a new quantity for one of their entries
    (`entry`), or a missing entry (`activity_type`, `day`). Their manager or an admin decides it."""
    if actor.organization_id != organization.pk or actor.role != Role.REP or not actor.is_active:
        raise PermissionDenied(_("Only sales reps ask for corrections, of their own activity."))
    rep = actor
    if entry is not None:
        if entry.organization_id != organization.pk or entry.rep_id != rep.pk:
            raise ValidationError({"entry": _("That entry does not exist.")})
        activity_type, day = entry.activity_type, entry.date
    activity_type = _check_type(organization=organization, activity_type=activity_type)
    if day is None:
        raise ValidationError({"date": _("Enter the day of the missing entry.")})
    new_quantity = clean_quantity(activity_type=activity_type, quantity=quantity)
    # The future, the employment's start and end; the lock is checked next (a correction needs one).
    check_date(organization=organization, rep=rep, day=day, locked=LockedDates(()))
    if entry is not None and new_quantity == entry.quantity:
        raise ValidationError({"quantity": _("That is already the entry's quantity.")})
    reason = _required_text(
        reason, field="reason", message=_("Say why the correction is needed."), max_length=REASON_MAX
    )
    period = _check_closed(organization=organization, day=day)
    if entry is not None:
        # One writer per entry at a time, so that two requests for it cannot both pass the next check.
        ActivityEntry.objects.select_for_update().filter(pk=entry.pk).first()
        waiting = Correction.objects.filter(organization=organization, entry=entry, status=CorrectionStatus.REQUESTED)
        if waiting.exists():
            raise ValidationError({"entry": _("This entry already has a correction waiting for a decision.")})
    correction = Correction(
        organization=organization,
        period=period,
        rep=rep,
        entry=entry,
        activity_type=activity_type,
        date=day,
        quantity=new_quantity,
        reason=reason,
        requested_by=actor.user,
    )
    correction.save()
    return correction


# Decisions --------------------------------------------------------------------------------------


def _decidable(*, organization: Organization, actor: Membership, correction: Correction) -> Correction:
    """The correction, locked for this transaction, when `actor` may decide it and it is still undecided."""
    if correction.organization_id != organization.pk:
        raise ValidationError(_("That correction does not exist."))
    locked = Correction.objects.select_for_update().get(pk=correction.pk)
    if (
        actor.pk == locked.rep_id
        or actor.user_id == locked.requested_by_id
        or not rep_may_be_logged_by(actor=actor, rep=locked.rep)
    ):
        raise PermissionDenied(_("Only the rep's manager or an admin can decide this correction."))
    if locked.status != CorrectionStatus.REQUESTED:
        raise ValidationError(
            _("This correction is already %(status)s; nothing was changed.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _decide(correction: Correction, *, actor: Membership, status: str, comment: str) -> Correction:
    correction.status = status
    correction.decided_by = actor.user
    correction.decided_at = timezone.now()
    correction.decision_comment = comment
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    return correction


def _relock(*, organization: Organization, ranges, actor: Membership, reason: str) -> None:
    """Lock again every range lifted for the change that the re-closes did not lock again themselves (a
    period whose re-close has no results locks nothing)."""
    for start, end in ranges:
        locked = locked_dates(organization=organization, start=start, end=end)
        if not all(day in locked for day in days_between(start, end)):
            entries_lock(organization=organization, start=start, end=end, actor=actor.user, reason=reason)


def correction_label(correction: Correction) -> str:
    return _("Correction #%(number)s") % {"number": correction.pk}


@transaction.atomic
def correction_approve(
    *, organization: Organization, actor: Membership, correction: Correction, comment: str = ""
) -> Correction:
    """Apply a correction and re-close its periods, in one transaction: unlock the day, change (or add) the
    entry as `actor` with the correction as the reason, re-close every closed period containing the day,
    lock it again. Any failure leaves everything as it was (the entry unchanged and locked)."""
    correction = _decidable(organization=organization, actor=actor, correction=correction)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("Use at most %(count)s characters.") % {"count": COMMENT_MAX}})
    label = correction_label(correction)
    audit_reason = f"{label}: {correction.reason}"
    lock_reason = audit_reason[:LOCK_REASON_MAX]
    entry = correction.entry
    day = entry.date if entry is not None else correction.date
    lifted = entry_lock_ranges(organization=organization, start=day, end=day)
    if lifted:
        entries_unlock(organization=organization, start=day, end=day, actor=actor.user, reason=lock_reason)
    if entry is not None:
        data = EntryData(
            activity_type=entry.activity_type, date=entry.date, quantity=correction.quantity,
            note=entry.note, topic=entry.topic, contact=entry.contact,
        )  # fmt: skip
        entry_update(
            organization=organization, actor=actor, entry=entry, data=data, via=Source.WEB, change_reason=audit_reason
        )
    else:
        data = EntryData(activity_type=correction.activity_type, date=day, quantity=correction.quantity)
        entry_log(
            organization=organization, actor=actor, rep=correction.rep, data=data, source=Source.WEB,
            change_reason=audit_reason,
        )  # fmt: skip
    for period in closed_periods_containing(organization=organization, day=day):
        reclosed = period_close(
            organization=organization, period=period, actor=actor.user, reason=lock_reason, reclose=True
        )
        if reclosed is None:  # another worker holds the period right now
            message = _("%(period)s is being closed right now. Nothing was changed; try again in a minute.")
            raise ValidationError(message % {"period": period_label(period)})
    _relock(organization=organization, ranges=lifted, actor=actor, reason=lock_reason)
    return _decide(correction, actor=actor, status=CorrectionStatus.APPROVED, comment=comment)


@transaction.atomic
def correction_reject(
    *, organization: Organization, actor: Membership, correction: Correction, comment: str
) -> Correction:
    """Refuse a correction, saying why; nothing else changes."""
    correction = _decidable(organization=organization, actor=actor, correction=correction)
    comment = _required_text(
        comment, field="comment", message=_("Say why you reject the correction."), max_length=COMMENT_MAX
    )
    return _decide(correction, actor=actor, status=CorrectionStatus.REJECTED, comment=comment)


# Reopen and retry -------------------------------------------------------------------------------


def _period_locked(*, organization: Organization, period: Period) -> Period:
    if period.organization_id != organization.pk:
        raise ValidationError(_("That period does not exist."))
    return Period.objects.select_for_update().get(pk=period.pk)


@transaction.atomic
def period_reopen(*, organization: Organization, actor: Membership, period: Period, reason: str) -> list[Period]:
    """An admin reopens a closed period, saying why: its entries unlock and it is open again, so the next
    sweep closes it anew (superseding its results). Every other closed period sharing a day with it (the
    month of a week, the weeks and days of a month…) reopens with it, since its inputs may now change.
    Returns the reopened periods, `period` first."""
    _ensure_admin(actor)
    reason = _required_text(
        reason, field="reason", message=_("Say why the period is reopened."), max_length=REOPEN_REASON_MAX
    )
    period = _period_locked(organization=organization, period=period)
    if period.status != PeriodStatus.CLOSED:
        message = _("%(period)s is not closed: there is nothing to reopen.")
        raise ValidationError(message % {"period": period_label(period)})
    others = list(
        Period.objects.select_for_update()
        .filter(organization=organization, status=PeriodStatus.CLOSED, start__lte=period.end, end__gte=period.start)
        .exclude(pk=period.pk)
        .order_by("start", "end", "pk")
    )
    reopened = [period, *others]
    with_period = (_("%(reason)s (reopened with %(period)s)") % {"reason": reason, "period": period_label(period)})
    PeriodReopen.objects.bulk_create(
        PeriodReopen(
            organization=organization, period=p, actor=actor.user,
            reason=reason if p.pk == period.pk else with_period[:REOPEN_REASON_MAX],
        )  # fmt: skip
        for p in reopened
    )
    entries_unlock(
        organization=organization, start=period.start, end=period.end, actor=actor.user, reason=reason[:LOCK_REASON_MAX]
    )
    Period.objects.filter(pk__in=[p.pk for p in reopened]).update(
        status=PeriodStatus.OPEN, close_attempts=0, last_error=""
    )
    for p in reopened:
        p.status = PeriodStatus.OPEN
    logger.info("%s reopened %s (and %s more): %s", actor.user, period, len(others), reason)
    return reopened


@transaction.atomic
def period_retry(*, organization: Organization, actor: Membership, period: Period) -> Period:
    """An admin sends a period whose close failed three times back to the sweep: attempts reset, open again."""
    _ensure_admin(actor)
    period = _period_locked(organization=organization, period=period)
    if period.status != PeriodStatus.CLOSE_FAILED:
        message = _("%(period)s has not failed to close: there is nothing to retry.")
        raise ValidationError(message % {"period": period_label(period)})
    period.status = PeriodStatus.OPEN
    period.close_attempts = 0
    period.save(update_fields=["status", "close_attempts"])
    logger.info("%s retries the close of %s (last error: %s)", actor.user, period, period.last_error[-200:])
    return period
