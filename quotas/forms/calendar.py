"""Forms of the calendar page (working days, holiday preset, company days off) and of leave.

The services do the business validation (one holiday per date, overlapping leave, who may act for whom).
"""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization, Weekday
from accounts.roles import Role
from activities.selectors import reps_loggable_by

from ..selectors.calendar import holiday_preset_countries, holiday_preset_default_country

MAX_CLOSE_GRACE_MINUTES = 24 * 60  # a period waits at most a whole day after its end: results belong to the night

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuotaSettingsForm(forms.Form):
    working_weekdays = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one working day.")},
        help_text=_("Targets are set for these days of the week, minus holidays."),
    )
    exceeded_tier_percent = forms.IntegerField(
        label=_("Exceeded from (%)"),
        validators=[MinValueValidator(101), MaxValueValidator(1000)],
        help_text=_("A result at or above this share of the target counts as exceeded (101–1000)."),
        widget=forms.NumberInput(attrs={"min": "101", "max": "1000", "inputmode": "numeric"}),
    )
    close_grace_minutes = forms.IntegerField(
        label=_("Close after (minutes)"),
        validators=[MinValueValidator(0), MaxValueValidator(MAX_CLOSE_GRACE_MINUTES)],
        help_text=_(
            "Each day, week and month closes this many minutes after the midnight that ends it, in the organization's "
            "time zone: 120 closes at 02:00, leaving reps the evening to log the last day (0–1440)."
        ),
        widget=forms.NumberInput(attrs={"min": "0", "max": "1440", "inputmode": "numeric"}),
    )
    reminder_enabled = forms.BooleanField(
        label=_("Remind reps at 16:00"),
        required=False,
        help_text=_("E-mail each rep who has logged nothing by 16:00 (the organization's time) on a working day."),
    )
    leaderboard_enabled = forms.BooleanField(
        label=_("Show the leaderboard"),
        required=False,
        help_text=_("Every member, reps included, sees the reps ranked by attainment or points."),
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization


class HolidayPresetForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=())
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        countries = holiday_preset_countries()
        self.fields["country"].choices = [
            ("", _("Choose a country…")),
            *((code, f"{name} ({code})") for code, name in countries),
        ]
        self.fields["country"].initial = holiday_preset_default_country(organization=organization)
        this_year = organization.local_today().year
        self.fields["year"].choices = [(year, str(year)) for year in (this_year, this_year + 1)]
        self.fields["year"].initial = this_year


class HolidayForm(forms.Form):
    """A company day off, or a holiday renamed (or moved)."""

    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    name = forms.CharField(label=_("Name"), max_length=100)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.user.display_name


class LeaveForm(forms.Form):
    """Leave for a rep: a rep asks for their own (the rep field is hidden), a manager or admin chooses one of
    the reps they may act for (another team's or organization's rep is not a valid choice)."""

    rep = RepChoiceField(label=_("Sales rep"), queryset=None)
    start = forms.DateField(label=_("First day"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("Last day"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, organization: Organization, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.actor = actor
        self.fields["rep"].queryset = reps_loggable_by(organization=organization, actor=actor)
        if actor.role == Role.REP:
            self.fields["rep"].required = False
            self.fields["rep"].widget = forms.HiddenInput()
            self.fields["rep"].initial = actor.pk

    @property
    def for_self(self) -> bool:
        return self.actor.role == Role.REP

    def clean_rep(self):
        return self.cleaned_data["rep"] or (self.actor if self.for_self else None)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day cannot be before the first day."))
        return data
