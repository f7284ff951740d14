"""The decision form of the probation report. No choice of objects: the rep comes from the URL through a
selector; the service (quotas.services.probation) checks the date against the decision and the window."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from ..models import ProbationDecisionKind
from ..services.probation import NOTES_MAX
from .calendar import DATE_WIDGET


class ProbationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=ProbationDecisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose confirm, extend or end.")},
    )
    new_end = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Extend: the new last day of the probation. End: the last day of the employment. "
                    "Confirm: leave it empty."),
    )  # fmt: skip
    notes = forms.CharField(
        label=_("Notes"),
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The reasons, as they should stand in the rep's file."),
        error_messages={"required": _("Write the reasons for the decision in the notes.")},
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
