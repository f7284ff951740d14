"""Forms. Tenant forms take `organization=` and scope every choice to it; services do the saving."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Language, Membership, Organization
from .roles import INVITABLE_ROLES, TEAM_ROLES, Role
from .selectors import membership_choices, team_list
from .services import user_name_set

ORGANIZATION_FIELDS = ["name", "slug", "time_zone", "week_start", "fiscal_year_start_month", "language", "currency"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        # Show a rep's current team, so that moving someone between teams is a conscious choice.
        if obj.team is not None:
            return f"{obj.user.display_name} ({obj.team.name})"
        return obj.user.display_name


class OrganizationCreateForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ORGANIZATION_FIELDS
        widgets = {"time_zone": forms.Select(attrs={"data-default-from-browser": "true"})}


class OrganizationSettingsForm(forms.ModelForm):
    """Settings of an existing organization. Only an owner may change the two-factor requirement."""

    class Meta:
        model = Organization
        fields = [*ORGANIZATION_FIELDS, "require_2fa"]

    def __init__(self, *args, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        if actor.role != Role.OWNER:
            self.fields["require_2fa"].disabled = True
            self.fields["require_2fa"].help_text = _("Only an owner can change this.")


class OrganizationScopedForm(forms.Form):
    def __init__(self, *args, organization: Organization, **kwargs):
        self.organization = organization
        super().__init__(*args, **kwargs)


class TeamForm(OrganizationScopedForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    managers = MemberChoiceField(
        label=_("Managers"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    reps = MemberChoiceField(
        label=_("Sales reps"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A rep belongs to one team: ticking a rep from another team moves them here."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["managers"].queryset = membership_choices(organization=self.organization, role=Role.MANAGER)
        self.fields["reps"].queryset = membership_choices(organization=self.organization, role=Role.REP)


class InvitationForm(OrganizationScopedForm):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in INVITABLE_ROLES], initial=Role.REP)
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=None,
        required=False,
        empty_label=_("No team"),
        help_text=_("For sales reps: the team they join. For managers: the team they lead."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list(organization=self.organization)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("team") and cleaned.get("role") not in TEAM_ROLES:
            self.add_error("team", _("Only sales reps and managers belong to a team."))
        return cleaned


class MembershipForm(OrganizationScopedForm):
    role = forms.ChoiceField(label=_("Role"))
    team = forms.ModelChoiceField(label=_("Team (sales reps)"), queryset=None, required=False, empty_label=_("No team"))
    managed_teams = forms.ModelMultipleChoiceField(
        label=_("Teams led (managers)"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    employment_start = forms.DateField(label=_("Employment start"), required=False, widget=DateInput)
    employment_end = forms.DateField(label=_("Employment end"), required=False, widget=DateInput)
    probation_end = forms.DateField(
        label=_("Probation end"),
        required=False,
        widget=DateInput,
        help_text=_("Probation runs from the employment start to this date. Leave empty when there is none."),
    )
    fte_percent = forms.IntegerField(
        label=_("FTE %"),
        min_value=1,
        max_value=100,
        initial=100,
        help_text=_("Full-time equivalent: 100 for full time, 80 for four days a week."),
    )

    def __init__(self, *args, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        roles = list(INVITABLE_ROLES)
        if actor.role == Role.OWNER:
            roles.append(Role.OWNER)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        teams = team_list(organization=self.organization)
        self.fields["team"].queryset = teams
        self.fields["managed_teams"].queryset = teams

    def clean(self):
        cleaned = super().clean()
        start, end, probation_end = (
            cleaned.get("employment_start"),
            cleaned.get("employment_end"),
            cleaned.get("probation_end"),
        )
        if start and end and end < start:
            self.add_error("employment_end", _("The employment cannot end before it starts."))
        if start and probation_end and probation_end < start:
            self.add_error("probation_end", _("The probation cannot end before the employment starts."))
        if probation_end and not start:
            self.add_error("employment_start", _("Enter the employment start: the probation runs from it."))
        return cleaned

    @classmethod
    def initial_for(cls, membership: Membership) -> dict:
        return {
            "role": membership.role,
            "team": membership.team_id,
            "managed_teams": list(membership.managed_teams.all()),
            "employment_start": membership.employment_start,
            "employment_end": membership.employment_end,
            "probation_end": membership.probation_end,
            "fte_percent": membership.fte_percent,
        }


class NameForm(forms.Form):
    """The user's name, shown to colleagues instead of the e-mail address. Also on the sign-up form
    (settings.ACCOUNT_SIGNUP_FORM_CLASS), where allauth calls `signup`."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    def signup(self, request, user):
        user_name_set(user=user, first_name=self.cleaned_data["first_name"], last_name=self.cleaned_data["last_name"])


class LanguageForm(forms.Form):
    """The user's own language: each organization's (the default), or always English or Swedish."""

    language = forms.ChoiceField(
        label=_("Your language"),
        required=False,
        help_text=_("Pages and e-mails use it in every organization."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language in its own name, as the language selector at the foot of the pages shows them.
        own_names = {Language.ENGLISH: "English", Language.SWEDISH: "Svenska"}
        self.fields["language"].choices = [
            ("", _("The organization's language")),
            *[(code, own_names.get(code, label)) for code, label in Language.choices],
        ]
