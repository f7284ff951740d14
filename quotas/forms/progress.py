"""The progress page's choice of rep (managers, admins and HR look at one rep at a time)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization
from accounts.roles import Role
from activities.selectors import reps_loggable_by, reps_visible_to


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.user.display_name


def reps_for_progress(*, organization: Organization, viewer: Membership):
    """Whose progress the viewer may look at: reps, managers and admins as on the Today page (themselves,
    their teams' active reps, every active rep); HR reads every rep's."""
    if viewer.role == Role.HR:
        return reps_visible_to(organization=organization, viewer=viewer)
    return reps_loggable_by(organization=organization, actor=viewer)


class ProgressRepForm(forms.Form):
    rep = RepChoiceField(label=_("Sales rep"), queryset=None, required=False, empty_label=None)

    def __init__(self, *args, organization: Organization, viewer: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps_for_progress(organization=organization, viewer=viewer)
