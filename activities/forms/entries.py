"""Logging and correcting entries (Today page, entry edit)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization

from ..selectors import activity_type_list, reps_loggable_by
from ..services.entries import EARLIEST_DAY, LATEST_DAY, EntryData, day_out_of_range_message


def day_field(label, **kwargs) -> forms.DateField:
    """A date input for a day of activity, within EARLIEST_DAY … LATEST_DAY (the services check it too: the API and
    the import have no form)."""
    message = lazy(day_out_of_range_message, str)()
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[MinValueValidator(EARLIEST_DAY, message), MaxValueValidator(LATEST_DAY, message)],
        **kwargs,
    )


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.user.display_name


class EntryForm(forms.Form):
    """One entry. The service does the business validation (dates, quantities, locks, who may log)."""

    activity_type = forms.ModelChoiceField(label=_("Type"), queryset=None)
    date = day_field(_("Date"))
    quantity = forms.CharField(
        label=_("Quantity"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)
    topic = forms.CharField(
        label=_("Topic"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"list": "topic-suggestions", "autocomplete": "off"}),
    )
    contact = forms.CharField(label=_("Contact"), max_length=255, required=False)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["activity_type"].queryset = activity_type_list(organization=organization)

    def entry_data(self) -> EntryData:
        data = self.cleaned_data
        return EntryData(
            activity_type=data["activity_type"],
            date=data["date"],
            quantity=data["quantity"],
            note=data["note"],
            topic=data["topic"],
            contact=data["contact"],
        )


class EntryLogForm(EntryForm):
    """An entry from the Today page: also says for which rep (the actor's own, or one they may log for)."""

    rep = RepChoiceField(label=_("Sales rep"), queryset=None)

    def __init__(self, *args, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps_loggable_by(organization=self.organization, actor=actor)


class TodayForm(forms.Form):
    """The Today page's choice of day (and, for managers, of rep). Invalid choices fall back to defaults."""

    date = day_field(_("Day"), required=False)
    rep = RepChoiceField(label=_("Sales rep"), queryset=None, required=False, empty_label=None)

    def __init__(self, *args, organization: Organization, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps_loggable_by(organization=organization, actor=actor)
