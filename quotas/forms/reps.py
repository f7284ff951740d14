"""The pickers (GET forms) of the rep detail page and the leaderboard.

Their choices are built from the organization's own periods and activity types, passed in by the view, so a
period or type of another organization is not a choice and the form rejects it.
"""

from django import forms
from django.utils.translation import gettext_lazy

from ..models import Period, PeriodKind
from ..period_labels import period_label
from ..selectors.leaderboard import RankBy

CURRENT = "current"

CURRENT_PERIOD_LABELS = {
    PeriodKind.DAY: gettext_lazy("Today"),
    PeriodKind.WEEK: gettext_lazy("This week"),
    PeriodKind.MONTH: gettext_lazy("This month"),
    PeriodKind.QUARTER: gettext_lazy("This quarter"),
    PeriodKind.YEAR: gettext_lazy("This year"),
}



class ConversionForm(forms.Form):
    """Which month the conversion is for, and which activity types count as activities (none ticked: outreach)."""

    conversion = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    activities = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Activities counted"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: the outreach types (marked on the Activity types page)."),
    )

    def __init__(self, *args, closed_months: list[Period], activity_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.closed_months = {str(period.pk): period for period in closed_months}
        self.fields["conversion"].choices = [(CURRENT, CURRENT_PERIOD_LABELS[PeriodKind.MONTH])] + [
            (pk, period_label(period)) for pk, period in reversed(self.closed_months.items())
        ]
        self.fields["activities"].choices = [(t.pk, t.name) for t in activity_types]

    def default_period(self) -> str:
        """The last closed month; this month when none is closed yet."""
        return next(reversed(self.closed_months), CURRENT)

    def chosen(self) -> tuple[Period | None, list[int]]:
        """(the closed month, or None for the current one; the chosen type ids, [] for all)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        value = data.get("conversion") or self.default_period()
        return self.closed_months.get(value), data.get("activities") or []


class LeaderboardForm(forms.Form):
    """The period (a current one of a kind with plans, or a closed one) and what to rank by."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    by = forms.ChoiceField(
        label=gettext_lazy("Rank by"),
        required=False,
        choices=[(RankBy.ATTAINMENT, gettext_lazy("Attainment")), (RankBy.POINTS, gettext_lazy("Points"))],
    )

    def __init__(self, *args, kinds: list[str], closed: dict[str, list[Period]], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.closed = {str(period.pk): period for periods in closed.values() for period in periods}
        choices = []
        for kind in kinds:
            group = [(kind, CURRENT_PERIOD_LABELS[kind])]
            group += [(str(period.pk), period_label(period)) for period in reversed(closed.get(kind, []))]
            choices.append((PeriodKind(kind).label, group))
        self.fields["period"].choices = choices

    def chosen(self) -> tuple[str | None, Period | None, str]:
        """(the kind of a current period, or None; the closed period, or None; what to rank by)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        value = data.get("period") or (PeriodKind.WEEK if PeriodKind.WEEK in self.kinds else next(iter(self.kinds), ""))
        by = data.get("by") or RankBy.ATTAINMENT
        if value in self.closed:
            return None, self.closed[value], by
        return (value or None), None, by
