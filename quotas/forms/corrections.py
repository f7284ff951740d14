"""Forms for changing closed periods: a rep's correction request, a decision on it, an admin's reopen.

The services do the business validation (a closed period, quantities, dates, who may decide).
"""

from django import forms
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization
from accounts.templatetags.money import format_money
from activities.selectors import activity_type_list

from ..selectors.corrections import CORRECTABLE_ENTRY_CHOICES, correctable_entries
from .calendar import DATE_WIDGET

REASON_WIDGET = forms.Textarea(attrs={"rows": 3})


def entry_label(entry, *, currency: str = "") -> str:
    """"Mon 16 Nov 2026 · Outbound calls × 12" (in the active language); money in `currency` when given."""
    if entry.activity_type.is_money and currency:
        quantity = format_money(entry.quantity, currency)
    else:
        places = 2 if entry.activity_type.is_money else 0
        quantity = number_format(entry.quantity, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{date_format(entry.date, 'D j M Y')} · {entry.activity_type.name} × {quantity}"


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return entry_label(obj)


class CorrectionForm(forms.Form):
    """A new quantity for one of the rep's entries in a closed period, or a missing entry (type and day).

    Any entry of the rep in a closed period is a valid choice; the list offers the latest ones (an older one
    is preselected from its own page). Another rep's or organization's entry is not a valid choice.
    """

    entry = EntryChoiceField(
        label=_("Entry to correct"),
        queryset=None,
        required=False,
        empty_label=_("None: add a missing entry"),
    )
    activity_type = forms.ModelChoiceField(
        label=_("Type of the missing entry"),
        queryset=None,
        required=False,
        help_text=_("Only for a missing entry."),
    )
    date = forms.DateField(
        label=_("Day of the missing entry"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Only for a missing entry."),
    )
    quantity = forms.CharField(
        label=_("Correct quantity"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=REASON_WIDGET)

    def __init__(self, *args, organization: Organization, rep: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        entries = correctable_entries(organization=organization, rep=rep)
        field = self.fields["entry"]
        field.queryset = entries
        offered = list(entries[:CORRECTABLE_ENTRY_CHOICES])
        preselected = self.initial.get("entry")
        if preselected is not None and all(e.pk != preselected.pk for e in offered):
            offered.insert(0, preselected)
        currency = organization.currency
        field.choices = [("", field.empty_label), *((e.pk, entry_label(e, currency=currency)) for e in offered)]
        self.fields["activity_type"].queryset = activity_type_list(organization=organization)

    def clean(self):
        data = super().clean()
        if not data.get("entry") and "entry" not in self.errors:
            if not data.get("activity_type") and "activity_type" not in self.errors:
                self.add_error("activity_type", _("Choose the entry to correct, or the type of the missing entry."))
            if not data.get("date") and "date" not in self.errors:
                self.add_error("date", _("Enter the day of the missing entry."))
        return data


class DecisionForm(forms.Form):
    """The manager's comment on approving (optional) or rejecting (required by the service) a correction."""

    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen it?"), max_length=500)
