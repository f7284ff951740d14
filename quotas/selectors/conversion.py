"""Conversion from activities to outcomes: how many opportunities (deals won, …) a rep gets per 100 activities,
next to the median of the rep's team.

Activities are the summed quantities of the outreach types (ActivityType.counts_as_outreach: calls, e-mails,
social contacts by default — meetings and demos mostly follow an opportunity, so they would blur the rate), or
of the types of category "activity" a viewer ticks; outcomes are the types of category "outcome" counted in
units (opportunities created, deals won, new customers…; money such as revenue is not a count).
Raj's month in the article: 30 opportunities from 150 calls + 200 e-mails + 50 social contacts = 7.5 per 100.

Set-based: one grouped query over the entries of the whole team, one for the activity types.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from accounts.models import Membership, Organization
from accounts.roles import Role
from activities.models import ActivityEntry, ActivityType, Category, Kind

ONE_DECIMAL = Decimal("0.1")


def per_hundred(outcomes: Decimal, activities: Decimal) -> Decimal | None:
    """Outcomes per 100 activities, unrounded; None without activities."""
    if not activities:
        return None
    return outcomes * 100 / activities


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ConversionRate:
    """One outcome type: the rep's figure and the team's median of the same figure."""

    outcome_type: ActivityType
    outcomes: Decimal
    per_100: Decimal | None  # None: the rep logged no activities
    team_median: Decimal | None  # None: no rep of the team logged activities
    team_reps: int  # the reps the median is taken over (those with activities)

    @property
    def comparison(self) -> str:
        """"above", "below" or "equal" to the team median; "" when either figure is missing."""
        if self.per_100 is None or self.team_median is None:
            return ""
        if self.per_100 > self.team_median:
            return "above"
        if self.per_100 < self.team_median:
            return "below"
        return "equal"


@dataclass(frozen=True)
class Conversion:
    start: date
    end: date
    activity_types: list[ActivityType]  # the types counted as activities
    activities: Decimal  # the rep's
    rates: list[ConversionRate]


def conversion_activity_types(*, organization: Organization) -> list[ActivityType]:
    """The types that may count as activities (archived ones too: their entries still happened)."""
    return list(
        ActivityType.objects.filter(organization=organization, category=Category.ACTIVITY).order_by("position", "pk")
    )


def team_conversion(
    *,
    organization: Organization,
    rep: Membership,
    start: date,
    end: date,
    activity_type_ids: Iterable[int] | None = None,
) -> Conversion:
    """The rep's outcomes per 100 activities in [start, end] and their team's median, per outcome type that
    any rep of the team has outcomes of. `activity_type_ids` narrows the activities (default: every type of
    category "activity"). The median is over the team's reps with activities in the period (the rep
    included); a rep without a team is compared with nobody."""
    types = list(ActivityType.objects.filter(organization=organization).order_by("position", "pk"))
    activity_types = [t for t in types if t.category == Category.ACTIVITY]
    if activity_type_ids:
        chosen = set(activity_type_ids)
        counted = [t for t in activity_types if t.pk in chosen]
    else:
        counted = [t for t in activity_types if t.counts_as_outreach] or activity_types
    counted_ids = {t.pk for t in counted}
    outcome_types = [t for t in types if t.category == Category.OUTCOME and t.kind == Kind.COUNT]
    outcome_ids = {t.pk for t in outcome_types}

    entries = ActivityEntry.objects.filter(organization=organization, date__range=(start, end))
    if rep.team_id is not None:
        entries = entries.filter(rep__team_id=rep.team_id, rep__role=Role.REP)
    else:
        entries = entries.filter(rep=rep)
    rows = entries.values("rep_id", "activity_type_id").annotate(total=Sum("quantity")).order_by()

    activities: dict[int, Decimal] = defaultdict(Decimal)
    outcomes: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        if row["activity_type_id"] in counted_ids:
            activities[row["rep_id"]] += row["total"]
        elif row["activity_type_id"] in outcome_ids:
            outcomes[row["activity_type_id"]][row["rep_id"]] += row["total"]

    active_reps = [rep_id for rep_id, total in activities.items() if total > 0]
    rates = []
    for outcome_type in outcome_types:
        by_rep = outcomes.get(outcome_type.pk)
        if not by_rep or not any(by_rep.values()):
            continue
        team_rates = [per_hundred(by_rep.get(rep_id, Decimal(0)), activities[rep_id]) for rep_id in active_reps]
        own = by_rep.get(rep.pk, Decimal(0))
        rates.append(
            ConversionRate(
                outcome_type=outcome_type,
                outcomes=own,
                per_100=_rounded(per_hundred(own, activities.get(rep.pk, Decimal(0)))),
                team_median=_rounded(statistics.median(team_rates)) if team_rates else None,
                team_reps=len(team_rates),
            )
        )
    return Conversion(
        start=start, end=end, activity_types=counted, activities=activities.get(rep.pk, Decimal(0)), rates=rates
    )
