"""The organization's calendar (working weekdays, holidays) and the reps' leave.

Admins edit the calendar; reps request leave, their managers (or admins) decide it or enter it directly.
Only approved leave removes a rep's working days (see selectors.calendar.approved_leave_days).
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from accounts.roles import Role
from activities.selectors import rep_may_be_logged_by
from activities.services.entries import check_day_in_range

from ..models import Holiday, HolidayKind, Leave, LeaveStatus, QuotaSettings
from ..selectors.calendar import holiday_dates_existing, holiday_preset, holiday_preset_countries, leave_overlapping

MAX_LEAVE_DAYS = 366
HOLIDAY_NAME_MAX = Holiday._meta.get_field("name").max_length


def _ensure_admin(actor: Membership) -> None:
    if not actor.has_role_at_least(Role.ADMIN):
        raise PermissionDenied(_("Only admins can change the calendar."))


def _ensure_in_organization(organization: Organization, obj) -> None:
    if obj.organization_id != organization.pk:
        raise ValidationError(_("That choice does not exist."))


# Settings ---------------------------------------------------------------------------------------


@transaction.atomic
def quota_settings_update(
    *, organization: Organization, actor: Membership, working_weekdays: Iterable[int], exceeded_tier_percent: int,
    reminder_enabled: bool | None = None, leaderboard_enabled: bool | None = None,
    close_grace_minutes: int | None = None,
) -> QuotaSettings:
    """Save the working weekdays (at least one), the "exceeded" tier and (when given) the 16:00 reminder, the
    leaderboard switch and the grace before a period closes; creates the settings row if missing."""
    _ensure_admin(actor)
    days = sorted({int(day) for day in working_weekdays})
    if not days:
        raise ValidationError({"working_weekdays": _("Choose at least one working day.")})
    if days[0] < 0 or days[-1] > 6:
        raise ValidationError({"working_weekdays": _("Choose days of the week.")})
    settings, _created = QuotaSettings.objects.select_for_update().get_or_create(organization=organization)
    settings.working_weekdays = ",".join(str(day) for day in days)
    settings.exceeded_tier_percent = exceeded_tier_percent
    fields = ["working_weekdays", "exceeded_tier_percent"]
    if reminder_enabled is not None:
        settings.reminder_enabled = reminder_enabled
        fields.append("reminder_enabled")
    if leaderboard_enabled is not None:
        settings.leaderboard_enabled = leaderboard_enabled
        fields.append("leaderboard_enabled")
    if close_grace_minutes is not None:
        settings.close_grace_minutes = close_grace_minutes
        fields.append("close_grace_minutes")
    settings.full_clean()
    settings.save(update_fields=fields)
    return settings


# Holidays ---------------------------------------------------------------------------------------


@transaction.atomic
def holidays_apply_preset(*, organization: Organization, actor: Membership, country: str, year: int) -> list[Holiday]:
    """Add a country's public holidays of a year, named in the organization's language where the `holidays`
    package translates them. Dates that already have a holiday are skipped: applying twice adds nothing, and
    an admin's renamed or company days are never overwritten. Returns the holidays added."""
    _ensure_admin(actor)
    if country not in dict(holiday_preset_countries()):
        raise ValidationError({"country": _("Choose a country from the list.")})
    if not 1900 <= year <= 2200:
        raise ValidationError({"year": _("Choose a year from the list.")})
    return _preset_apply(organization=organization, country=country, year=year)


@transaction.atomic
def holidays_apply_coming_years(*, organization: Organization) -> int:
    """Once an admin has applied a country's public holidays, this year's and next year's follow by themselves (the
    periods job calls this): a January without New Year's Day in the calendar would ask reps for a day's work too
    much. A year that already has a public holiday is left alone — an admin may have removed or moved some of it.
    Returns how many holidays were added."""
    country = QuotaSettings.objects.filter(organization=organization).values_list("holiday_country", flat=True).first()
    if not country:
        return 0
    this_year = organization.local_today().year
    applied_years = set(
        Holiday.objects.filter(organization=organization, kind=HolidayKind.PUBLIC, date__year__gte=this_year)
        .values_list("date__year", flat=True)
        .distinct()
    )
    added = 0
    for year in (this_year, this_year + 1):
        if year not in applied_years:
            added += len(_preset_apply(organization=organization, country=country, year=year))
    return added


def _preset_apply(*, organization: Organization, country: str, year: int) -> list[Holiday]:
    preset = holiday_preset(country=country, year=year, language=organization.language)
    existing = holiday_dates_existing(organization=organization, dates=[day for day, _name in preset])
    added = [
        Holiday(organization=organization, date=day, name=name[:HOLIDAY_NAME_MAX], kind=HolidayKind.PUBLIC)
        for day, name in preset
        if day not in existing
    ]
    # ignore_conflicts: an admin adding a day off at the same moment keeps theirs (the unique date wins).
    Holiday.objects.bulk_create(added, ignore_conflicts=True)
    settings, _created = QuotaSettings.objects.select_for_update().get_or_create(organization=organization)
    if settings.holiday_country != country:
        settings.holiday_country = country
        settings.save(update_fields=["holiday_country"])
    return added


def _holiday_save(holiday: Holiday, update_fields=None) -> Holiday:
    holiday.full_clean()  # also checks the one-holiday-per-date constraint, with its message
    holiday.save(update_fields=update_fields)
    return holiday


@transaction.atomic
def holiday_create(*, organization: Organization, actor: Membership, day: date, name: str) -> Holiday:
    """A company day off (nobody in the organization works that day)."""
    _ensure_admin(actor)
    return _holiday_save(Holiday(organization=organization, date=day, name=name.strip(), kind=HolidayKind.COMPANY))


@transaction.atomic
def holiday_update(*, organization: Organization, actor: Membership, holiday: Holiday, day: date, name: str) -> Holiday:
    """Rename (or move) any holiday, public or company. A preset applied later never overwrites it."""
    _ensure_admin(actor)
    _ensure_in_organization(organization, holiday)
    holiday.date = day
    holiday.name = name.strip()
    return _holiday_save(holiday, update_fields=["date", "name"])


@transaction.atomic
def holiday_delete(*, organization: Organization, actor: Membership, holiday: Holiday) -> None:
    _ensure_admin(actor)
    _ensure_in_organization(organization, holiday)
    holiday.delete()


# Leave ------------------------------------------------------------------------------------------


def _check_leave_dates(*, organization: Organization, rep: Membership, start: date, end: date) -> None:
    check_day_in_range(start, field="start")
    check_day_in_range(end, field="end")
    if end < start:
        raise ValidationError({"end": _("The last day cannot be before the first day.")})
    if (end - start).days + 1 > MAX_LEAVE_DAYS:
        raise ValidationError({"end": _("Leave can be at most %(days)s days long.") % {"days": MAX_LEAVE_DAYS}})
    other = leave_overlapping(organization=organization, rep=rep, start=start, end=end).first()
    if other is not None:
        raise ValidationError(
            _("%(rep)s already has %(status)s leave from %(start)s to %(end)s that overlaps these days.")
            % {
                "rep": rep.user.display_name,
                "status": other.get_status_display().lower(),
                "start": date_format(other.start),
                "end": date_format(other.end),
            }
        )


@transaction.atomic
def leave_create(
    *, organization: Organization, actor: Membership, rep: Membership, start: date, end: date, reason: str = ""
) -> Leave:
    """A rep's own request (status requested), or leave a manager or admin enters for one of their reps
    (approved at once, decided by them)."""
    _ensure_in_organization(organization, rep)
    if rep.role != Role.REP or not rep.is_active or not rep_may_be_logged_by(actor=actor, rep=rep):
        raise PermissionDenied(_("You cannot enter leave for this rep."))
    # One writer per rep at a time, so that two overlapping requests cannot both pass the overlap check.
    Membership.objects.select_for_update().filter(pk=rep.pk).first()
    _check_leave_dates(organization=organization, rep=rep, start=start, end=end)
    leave = Leave(
        organization=organization, rep=rep, start=start, end=end, reason=reason.strip(), requested_by=actor.user
    )
    if actor.pk != rep.pk:
        leave.status = LeaveStatus.APPROVED
        leave.decided_by = actor.user
        leave.decided_at = timezone.now()
    leave.full_clean()
    leave.save()
    return leave


def _leave_locked(organization: Organization, leave: Leave) -> Leave:
    _ensure_in_organization(organization, leave)
    locked = Leave.objects.select_for_update().select_related("rep__user").get(pk=leave.pk)
    return locked


def _already_decided(leave: Leave) -> ValidationError:
    return ValidationError(
        _("This leave is already %(status)s; nothing was changed.") % {"status": leave.get_status_display().lower()}
    )


def _decide(*, organization: Organization, actor: Membership, leave: Leave, status: str) -> Leave:
    locked = _leave_locked(organization, leave)
    if actor.pk == locked.rep_id or not rep_may_be_logged_by(actor=actor, rep=locked.rep):
        raise PermissionDenied(_("Only the rep's manager or an admin can decide this leave."))
    if locked.status != LeaveStatus.REQUESTED:
        raise _already_decided(locked)
    locked.status = status
    locked.decided_by = actor.user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


@transaction.atomic
def leave_approve(*, organization: Organization, actor: Membership, leave: Leave) -> Leave:
    """A manager of the rep's team (or an admin) approves requested leave; a rep never approves their own."""
    return _decide(organization=organization, actor=actor, leave=leave, status=LeaveStatus.APPROVED)


@transaction.atomic
def leave_reject(*, organization: Organization, actor: Membership, leave: Leave) -> Leave:
    return _decide(organization=organization, actor=actor, leave=leave, status=LeaveStatus.REJECTED)


@transaction.atomic
def leave_cancel(*, organization: Organization, actor: Membership, leave: Leave) -> Leave:
    """The rep withdraws a request not yet decided; a manager or admin withdraws leave they may decide
    (requested or approved, e.g. entered by mistake)."""
    locked = _leave_locked(organization, leave)
    if actor.pk == locked.rep_id:
        cancellable = [LeaveStatus.REQUESTED]
    elif rep_may_be_logged_by(actor=actor, rep=locked.rep):
        cancellable = [LeaveStatus.REQUESTED, LeaveStatus.APPROVED]
    else:
        raise PermissionDenied(_("You cannot cancel this leave."))
    if locked.status not in cancellable:
        raise _already_decided(locked)
    locked.status = LeaveStatus.CANCELLED
    locked.decided_by = actor.user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked
