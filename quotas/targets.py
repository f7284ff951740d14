"""Pro-rating: a line's target for one rep in one period, and the sentence that explains it.

Effective target = line target × (rep's available working days / period's scheduled working days) × FTE %,
rounded up to whole units for counts and to the cent for money. Scheduled days are the organization's
working weekdays; holidays, approved leave and days outside the employment make a rep's available days
fewer, so a week with Easter Monday asks for four days' worth. No available day: no target at all.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.templatetags.money import format_money

from .selectors.calendar import Availability


@dataclass(frozen=True)
class EffectiveTarget:
    full: Decimal  # the line's target, for a full period at 100 % FTE
    value: Decimal | None  # None: the rep has no available day in the period (no target, never flagged)
    explanation: str


def format_quantity(value: Decimal, *, money: bool, currency: str = "") -> str:
    """Whole units for counts; money with cents, as an amount of `currency` when given ("5 000,00 kr")."""
    if money and currency:
        return format_money(value, currency)
    return number_format(value, decimal_pos=2 if money else 0, use_l10n=True, force_grouping=True)


def effective_target(
    *, target: Decimal, availability: Availability, fte_percent: int, money: bool, currency: str = ""
) -> EffectiveTarget:
    """`currency` (the organization's) writes a money target's explanation as amounts: "5 000,00 kr → …"."""
    if availability.available == 0 or availability.scheduled == 0:
        return EffectiveTarget(full=target, value=None, explanation=_("No target: no available working day."))
    raw = target * Decimal(availability.available) / Decimal(availability.scheduled) * Decimal(fte_percent) / 100
    value = raw.quantize(Decimal("0.01") if money else Decimal("1"), rounding=ROUND_CEILING)
    explanation = _explain(target, value, availability, fte_percent, money, currency)
    return EffectiveTarget(full=target, value=value, explanation=explanation)


def _explain(target, value, availability: Availability, fte_percent: int, money: bool, currency: str) -> str:
    reasons = []
    if availability.holidays:
        reasons.append(
            ngettext("%(count)s holiday", "%(count)s holidays", availability.holidays) % {"count": availability.holidays}
        )
    if availability.leave:
        reasons.append(
            ngettext("%(count)s day of leave", "%(count)s days of leave", availability.leave) % {"count": availability.leave}
        )
    if availability.outside_employment:
        reasons.append(
            ngettext(
                "%(count)s day outside the employment",
                "%(count)s days outside the employment",
                availability.outside_employment,
            )
            % {"count": availability.outside_employment}
        )
    if fte_percent != 100:
        reasons.append(_("%(fte)s %% FTE") % {"fte": fte_percent})
    full = format_quantity(target, money=money, currency=currency)
    effective = format_quantity(value, money=money, currency=currency)
    if not reasons:
        return full
    return _("%(full)s → %(effective)s: %(reasons)s") % {"full": full, "effective": effective, "reasons": ", ".join(reasons)}
