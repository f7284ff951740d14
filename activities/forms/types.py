"""An admin's form for one activity type. The service validates the rest (unique name, kind once used)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from ..models import Category, Kind

TYPE_FIELDS = ["name", "category", "kind", "unit_label", "points", "counts_as_outreach"]


class ActivityTypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    category = forms.ChoiceField(
        label=_("Category"),
        choices=Category.choices,
        initial=Category.ACTIVITY,
        widget=forms.RadioSelect,
        help_text=_("Activities are what reps do (calls, meetings); outcomes are what comes of them (deals, revenue)."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Kind.choices,
        initial=Kind.COUNT,
        widget=forms.RadioSelect,
        help_text=_("Count: whole numbers. Money: amounts with 2 decimals. Cannot change once entries use the type."),
    )
    unit_label = forms.CharField(
        label=_("Unit"),
        max_length=20,
        required=False,
        help_text=_("For example calls, e-mails. Money uses the organization's currency when left empty."),
    )
    points = forms.DecimalField(
        label=_("Points"),
        required=False,
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        help_text=_("Optional weight for points targets, e.g. 1 per call, 5 per meeting."),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    counts_as_outreach = forms.BooleanField(
        label=_("Counts as outreach"),
        required=False,
        help_text=_("Conversion (outcomes per 100 activities) counts the outreach activities: calls, e-mails, social "
                    "contacts. Not for outcomes."),
    )  # fmt: skip

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.MONEY and not data.get("unit_label"):
            data["unit_label"] = self.organization.currency
        if data.get("category") == Category.OUTCOME:
            data["counts_as_outreach"] = False  # an outcome is what outreach converts into
        return data

    def type_fields(self) -> dict:
        """The cleaned values, as the services take them."""
        return {name: self.cleaned_data[name] for name in TYPE_FIELDS}


class ActivityTypeMoveForm(forms.Form):
    """The list's up/down buttons."""

    OFFSETS = {"up": -1, "down": 1}

    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])

    def offset(self) -> int:
        return self.OFFSETS[self.cleaned_data["direction"]]
