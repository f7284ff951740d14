"""The quota plan page: the plan (who and which period), its lines (a formset) and the version to publish.

Every choice is scoped to the organization and to what the actor may edit; the services validate the rest
(positive and whole targets, duplicate lines, the start of a version) and have the last word on permissions.
"""

from datetime import date, timedelta

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization
from accounts.roles import Role
from activities.models import ActivityType
from activities.selectors import reps_loggable_by
from activities.services.entries import normalize_topic

from ..models import PeriodKind, PlanScope, QuotaPlan
from ..periods import organization_period_bounds
from ..selectors.plans import plan_teams_editable_by
from ..services.plans import LineData, current_period_start, next_period_start

PERIOD_START_CHOICES = 12  # later period starts offered for a version
MAX_LINES = 30


def period_starts(organization: Organization, *, kind: str, first: date, count: int) -> list[date]:
    """`count` consecutive period starts of `kind`, from the period containing `first`."""
    starts = []
    day = first
    for _index in range(count):
        start, end = organization_period_bounds(organization, kind=kind, day=day)
        starts.append(start)
        day = end + timedelta(days=1)
    return starts


class TargetField(forms.DecimalField):
    """A target as people type it: "400 000", "1 250,50" (Swedish) or "1250.50"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(localize=True, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split())  # spaces, also non-breaking ones, between thousands
        return super().to_python(value)


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.team is not None:
            return f"{obj.user.display_name} ({obj.team.name})"
        return obj.user.display_name


class QuotaPlanForm(forms.Form):
    """Who a new plan applies to and per which period; for an existing plan only its name can change."""

    name = forms.CharField(label=_("Name"), max_length=120)
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, initial=PeriodKind.WEEK)
    scope = forms.ChoiceField(label=_("Applies to"), choices=PlanScope.choices)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False,
        help_text=_("For a team plan; for a probation plan, only that team's reps in probation (none: every team's)."),
    )  # fmt: skip
    rep = RepChoiceField(label=_("Sales rep"), queryset=None, required=False, help_text=_("For one rep's plan."))

    def __init__(self, *args, organization: Organization, actor: Membership, plan: QuotaPlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.actor = actor
        self.plan = plan
        if plan is not None:
            # Who and which period are fixed once a plan exists: its history is measured in them.
            for name in ("period_kind", "scope", "team", "rep"):
                del self.fields[name]
            return
        if not actor.has_role_at_least(Role.ADMIN):
            # Managers write plans for their teams, those teams' reps and reps in probation, never organization-wide.
            self.fields["scope"].choices = [
                (scope, scope.label) for scope in (PlanScope.TEAM, PlanScope.REP, PlanScope.PROBATION)
            ]
        self.fields["team"].queryset = plan_teams_editable_by(organization=organization, actor=actor)
        self.fields["rep"].queryset = reps_loggable_by(organization=organization, actor=actor)

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == PlanScope.TEAM and not data.get("team") and "team" not in self.errors:
            self.add_error("team", _("Choose the team this plan applies to."))
        if scope == PlanScope.REP and not data.get("rep") and "rep" not in self.errors:
            self.add_error("rep", _("Choose the rep this plan applies to."))
        if (scope == PlanScope.PROBATION and not data.get("team") and "team" not in self.errors
                and not self.actor.has_role_at_least(Role.ADMIN)):  # fmt: skip
            self.add_error("team", _("Choose the team whose reps in probation this plan applies to."))
        return data

    def period_kind_value(self) -> str:
        """The period kind the page is about: the plan's, or the one chosen (or offered) for a new plan."""
        if self.plan is not None:
            return self.plan.period_kind
        value = self.data.get(self.add_prefix("period_kind")) if self.is_bound else None
        if value in PeriodKind.values:
            return value
        return self.get_initial_for_field(self.fields["period_kind"], "period_kind")

    def unsaved_plan(self) -> QuotaPlan:
        """The plan as it would be created (for the preview), or the existing plan."""
        if self.plan is not None:
            return self.plan
        data = self.cleaned_data
        scope = data["scope"]
        return QuotaPlan(
            organization=self.organization,
            name=data["name"],
            period_kind=data["period_kind"],
            scope=scope,
            team=data.get("team") if scope in (PlanScope.TEAM, PlanScope.PROBATION) else None,
            rep=data.get("rep") if scope == PlanScope.REP else None,
        )


class QuotaVersionForm(forms.Form):
    """The targets besides the lines, and from when they apply."""

    points_target = TargetField(
        label=_("Points target"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("Optional: points per period, from the activity types' weights (e.g. 1 per call, 5 per meeting)."),
    )
    effective_from = forms.DateField(label=_("Effective from"), required=False, widget=forms.Select)
    note = forms.CharField(
        label=_("What changed"),
        max_length=200,
        required=False,
        help_text=_("A short note for the version history, e.g. “Fewer calls, more meetings from Q2”."),
    )

    def __init__(self, *args, organization: Organization, kind: str, plan: QuotaPlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["effective_from"]
        if plan is None:
            # A new plan starts with the current period unless a later one is chosen.
            first = current_period_start(organization=organization, kind=kind)
            later = period_starts(organization, kind=kind, first=first, count=PERIOD_START_CHOICES + 1)[1:]
            field.widget.choices = [("", _("The current period"))] + [(d.isoformat(), date_format(d)) for d in later]
            field.help_text = _("The first period these targets apply to.")
        else:
            # A change never reaches back: the next period at the earliest.
            first = next_period_start(organization=organization, kind=kind)
            starts = period_starts(organization, kind=kind, first=first, count=PERIOD_START_CHOICES)
            next_label = _("%(date)s (the next period)") % {"date": date_format(starts[0])}
            field.widget.choices = [(starts[0].isoformat(), next_label)] + [
                (d.isoformat(), date_format(d)) for d in starts[1:]
            ]
            field.required = True
            field.initial = starts[0]
            field.help_text = _("Current and past periods keep their targets: a change starts with a later period.")
        self.organization, self.kind, self.earliest = organization, kind, first

    def clean_effective_from(self):
        """The same rule the services enforce, checked here too so that a preview never shows a refused start."""
        value = self.cleaned_data["effective_from"]
        if value is None:
            return value
        start, _end = organization_period_bounds(self.organization, kind=self.kind, day=value)
        if start != value:
            raise forms.ValidationError(
                _("A version starts with a period: pick %(date)s.") % {"date": date_format(start)}
            )
        if value < self.earliest:
            raise forms.ValidationError(
                _("A change can start on %(date)s at the earliest: current and past periods keep their targets.")
                % {"date": date_format(self.earliest)}
            )
        return value


class QuotaLineForm(forms.Form):
    """One line: an activity type and its target per period, optionally only for a topic or distinct contacts."""

    activity_type = forms.TypedChoiceField(label=_("Type"), required=False, empty_value=None)
    target = TargetField(label=_("Target"), required=False, max_digits=14, decimal_places=2)
    topic = forms.CharField(
        label=_("Only topic"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"list": "topic-suggestions", "autocomplete": "off"}),
    )
    distinct_contacts = forms.BooleanField(label=_("Count distinct contacts"), required=False)

    def __init__(self, *args, types: dict[str, ActivityType], **kwargs):
        super().__init__(*args, **kwargs)
        # Choices from one list loaded for the whole formset: no query per line.
        field = self.fields["activity_type"]
        field.choices = [("", "—")] + [(pk, activity_type.name) for pk, activity_type in types.items()]
        field.coerce = lambda pk: _known_type(types, pk)

    def clean(self):
        data = super().clean()
        activity_type, target = data.get("activity_type"), data.get("target")
        if activity_type is None and target is None and not data.get("topic") and "activity_type" not in self.errors:
            return data  # a blank row: ignored
        if activity_type is None and "activity_type" not in self.errors:
            self.add_error("activity_type", _("Choose a type for this line."))
        if target is None and "target" not in self.errors:
            self.add_error("target", _("Enter a target for this line."))
        elif target is not None and target <= 0:
            self.add_error("target", _("A target must be above 0."))
        return data


def _known_type(types: dict[str, ActivityType], pk: str) -> ActivityType:
    try:
        return types[pk]
    except KeyError:
        raise ValueError(pk) from None  # TypedChoiceField turns it into "Select a valid choice"


class BaseQuotaLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, types: dict[str, ActivityType], **kwargs):
        # Every row is cleaned, also one equal to its initial values: QuotaLineForm ignores blank rows itself.
        super().__init__(*args, form_kwargs={"types": types, "empty_permitted": False}, **kwargs)

    def line_data(self) -> list[LineData]:
        """The lines kept (not deleted, not blank), as the services take them."""
        lines = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if self.can_delete and self._should_delete_form(form):
                continue
            if data.get("activity_type") is None:
                continue
            lines.append(
                LineData(
                    activity_type=data["activity_type"],
                    target=data["target"],
                    topic=normalize_topic(data.get("topic") or ""),
                    distinct_contacts=bool(data.get("distinct_contacts")),
                )
            )
        return lines


QuotaLineFormSet = forms.formset_factory(
    QuotaLineForm,
    formset=BaseQuotaLineFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)


def line_initial(version) -> list[dict]:
    """A version's lines as the formset's initial rows (counts without ",00")."""
    rows = []
    for line in version.lines.all():
        target = line.target
        if target == target.to_integral_value():
            target = target.quantize(1)
        rows.append(
            {
                "activity_type": str(line.activity_type_id),
                "target": target,
                "topic": line.topic,
                "distinct_contacts": line.distinct_contacts,
            }
        )
    return rows
