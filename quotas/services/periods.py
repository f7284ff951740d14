"""Periods as rows: created ahead as needed, so that the close and the dashboards share one truth."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from accounts.models import Organization

from ..models import Correction, Period, PeriodKind, PeriodReopen, PeriodResult, QuotaPlanVersion
from ..periods import organization_period_bounds


@transaction.atomic
def period_get_or_create(*, organization: Organization, kind: str, day: date) -> Period:
    """The period of `kind` that contains `day` (a local date of the organization)."""
    start, end = organization_period_bounds(organization, kind=kind, day=day)
    period, _created = Period.objects.get_or_create(
        organization=organization, kind=kind, start=start, defaults={"end": end}
    )
    return period


@transaction.atomic
def periods_ensure(*, organization: Organization, start: date, end: date, kinds=tuple(PeriodKind)) -> int:
    """Create every period of `kinds` that overlaps [start, end] and does not exist yet; return how many."""
    wanted = []
    for kind in kinds:
        day = start
        while day <= end:
            period_start, period_end = organization_period_bounds(organization, kind=kind, day=day)
            wanted.append(Period(organization=organization, kind=kind, start=period_start, end=period_end))
            day = period_end + timedelta(days=1)
    existing = set(
        Period.objects.filter(organization=organization, start__lte=end, end__gte=start).values_list("kind", "start")
    )
    missing = [p for p in wanted if (p.kind, p.start) not in existing]
    Period.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


# How far ahead periods exist, so that plans, dashboards and the close always find their rows.
PERIODS_AHEAD_DAYS = 400


def periods_ensure_ahead(*, organization: Organization) -> int:
    """Make sure every period from the current year's start to ~13 months ahead exists."""
    today = organization.local_today()
    year_start, _year_end = organization_period_bounds(organization, kind=PeriodKind.YEAR, day=today)
    return periods_ensure(organization=organization, start=year_start, end=today + timedelta(days=PERIODS_AHEAD_DAYS))


# The period kinds each layout setting of the organization decides.
LAYOUT_KINDS = {
    "week_start": (PeriodKind.WEEK,),
    "fiscal_year_start_month": (PeriodKind.QUARTER, PeriodKind.YEAR),
}


@transaction.atomic
def periods_relayout(*, organization: Organization, changed: list[str]) -> None:
    """settings.ORGANIZATION_LAYOUT_CHANGED hook: the week start or the fiscal year's start changed. The periods of
    the kinds it decides are made again in the new layout — unless one of them already has history (results, a
    correction, a reopen): history is never rewritten, and weeks of two layouts would overlap, so the change is
    refused with a message on the field."""
    refusals = {
        "week_start": _("The week start can no longer change: weeks with results have been closed, and they stay as "
                        "they were counted."),
        "fiscal_year_start_month": _("The fiscal year's start can no longer change: quarters or years with results "
                                     "have been closed, and they stay as they were counted."),
    }  # fmt: skip
    for field in changed:
        periods = Period.objects.filter(organization=organization, kind__in=LAYOUT_KINDS[field])
        list(periods.select_for_update().values_list("pk", flat=True))  # a close meanwhile waits, then finds none
        history = (
            Exists(PeriodResult.objects.filter(period=OuterRef("pk")))
            | Exists(Correction.objects.filter(period=OuterRef("pk")))
            | Exists(PeriodReopen.objects.filter(period=OuterRef("pk")))
        )
        if periods.filter(history).exists():
            raise ValidationError({field: refusals[field]})
        periods.delete()  # with their closes, which had nothing to keep
        _versions_realign(organization=organization, kinds=LAYOUT_KINDS[field])
    periods_ensure_ahead(organization=organization)


def _versions_realign(*, organization: Organization, kinds) -> None:
    """A plan version takes effect at the start of a period; in the new layout, at the start of the period that
    holds its old start (a weekly plan from Monday the 23rd runs from Sunday the 22nd when weeks start on Sunday,
    instead of missing the current week)."""
    versions = QuotaPlanVersion.objects.filter(organization=organization, plan__period_kind__in=kinds)
    moved = []
    for version in versions.select_related("plan"):
        kind, day = version.plan.period_kind, version.effective_from
        start, _end = organization_period_bounds(organization, kind=kind, day=day)
        if start != version.effective_from:
            version.effective_from = start
            moved.append(version)
    QuotaPlanVersion.objects.bulk_update(moved, ["effective_from"], batch_size=500)


def periods_setup(*, organization: Organization) -> None:
    """settings.ORGANIZATION_SETUP hook: a new organization gets its periods at once."""
    periods_ensure_ahead(organization=organization)
