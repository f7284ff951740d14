"""The organization's calendar (working days, holidays) and the reps' leave.

Everyone reads the calendar; only admins change it. Reps request leave, the managers of their teams (or
admins) approve or reject it, or enter it directly; HR reads everyone's leave.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.errors import error_messages
from accounts.mixins import OrganizationMixin
from accounts.models import Weekday
from accounts.roles import Role
from activities.selectors import rep_ids_loggable_by

from ..forms.calendar import HolidayForm, HolidayPresetForm, LeaveForm, QuotaSettingsForm
from ..models import LeaveStatus
from ..periods import days_between
from ..selectors import calendar as selectors
from ..services import calendar as services
from .links import organization_url

LEAVE_PAGE_SIZE = 50


def _add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when it names one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error_messages(error):
            form.add_error(None, message)


def calendar_url(organization, year: int | None = None, anchor: str = "") -> str:
    return organization_url("quotas:calendar", organization, query={"year": year} if year else None, anchor=anchor)


# Calendar ---------------------------------------------------------------------------------------


class CalendarView(OrganizationMixin, TemplateView):
    """The year's holidays and the working weekdays; admins edit them here (each form names its action)."""

    required_role = Role.REP
    template_name = "quotas/calendar.html"

    @cached_property
    def year(self) -> int:
        this_year = self.organization.local_today().year
        try:
            year = int(self.request.GET.get("year", this_year))
        except ValueError:
            return this_year
        return year if 1900 <= year <= 2200 else this_year

    @cached_property
    def quota_settings(self):
        return selectors.quota_settings_get(organization=self.organization)

    def get_context_data(self, **kwargs):
        organization, year = self.organization, self.year
        start, end = date(year, 1, 1), date(year, 12, 31)
        settings = self.quota_settings
        holidays = list(selectors.holiday_list(organization=organization, start=start, end=end))
        calendar = selectors.Calendar(weekdays=settings.weekdays, holidays={h.date: h.name for h in holidays})
        countries = dict(selectors.holiday_preset_countries())
        context = {
            "year": year,
            "settings": settings,
            "weekday_names": [label for value, label in Weekday.choices if value in settings.weekdays],
            "holiday_country_name": countries.get(settings.holiday_country, settings.holiday_country),
            "holidays": holidays,
            "working_day_count": sum(1 for day in days_between(start, end) if calendar.is_working_day(day)),
            "can_edit": self.membership.is_admin,
        }
        if self.membership.is_admin:
            kwargs.setdefault(
                "settings_form",
                QuotaSettingsForm(
                    organization=organization,
                    initial={
                        "working_weekdays": sorted(settings.weekdays),
                        "exceeded_tier_percent": settings.exceeded_tier_percent,
                        "close_grace_minutes": settings.close_grace_minutes,
                        "reminder_enabled": settings.reminder_enabled,
                        "leaderboard_enabled": settings.leaderboard_enabled,
                    },
                ),
            )
            kwargs.setdefault("preset_form", HolidayPresetForm(organization=organization))
            kwargs.setdefault("holiday_form", HolidayForm(organization=organization))
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.membership.is_admin:
            raise PermissionDenied
        handler = {
            "settings": self.save_settings,
            "preset": self.apply_preset,
            "holiday": self.add_holiday,
        }.get(request.POST.get("action"))
        if handler is None:
            return HttpResponseBadRequest(_("Unknown action."))
        return handler()

    def invalid(self, name: str, form):
        return self.render_to_response(self.get_context_data(**{name: form}))

    def save_settings(self):
        form = QuotaSettingsForm(self.request.POST, organization=self.organization)
        if form.is_valid():
            try:
                services.quota_settings_update(
                    organization=self.organization, actor=self.membership, **form.cleaned_data
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(self.request, _("Settings saved."))
                return redirect(calendar_url(self.organization, self.year, "working-days"))
        return self.invalid("settings_form", form)

    def apply_preset(self):
        form = HolidayPresetForm(self.request.POST, organization=self.organization)
        if form.is_valid():
            country, year = form.cleaned_data["country"], form.cleaned_data["year"]
            try:
                added = services.holidays_apply_preset(
                    organization=self.organization, actor=self.membership, country=country, year=year
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                name = dict(selectors.holiday_preset_countries()).get(country, country)
                if added:
                    messages.success(
                        self.request,
                        _("Added %(count)s public holidays of %(country)s in %(year)s.")
                        % {"count": len(added), "country": name, "year": year},
                    )
                else:
                    messages.info(
                        self.request,
                        _("Every public holiday of %(country)s in %(year)s is already in the calendar.")
                        % {"country": name, "year": year},
                    )
                return redirect(calendar_url(self.organization, year, "holidays"))
        return self.invalid("preset_form", form)

    def add_holiday(self):
        form = HolidayForm(self.request.POST, organization=self.organization)
        if form.is_valid():
            try:
                holiday = services.holiday_create(
                    organization=self.organization,
                    actor=self.membership,
                    day=form.cleaned_data["date"],
                    name=form.cleaned_data["name"],
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    self.request,
                    _("%(name)s on %(date)s added.") % {"name": holiday.name, "date": date_format(holiday.date)},
                )
                return redirect(calendar_url(self.organization, holiday.date.year, f"holiday-{holiday.pk}"))
        return self.invalid("holiday_form", form)


class HolidayUpdateView(OrganizationMixin, FormView):
    required_role = Role.ADMIN
    form_class = HolidayForm
    template_name = "quotas/holiday_form.html"

    @cached_property
    def holiday(self):
        return selectors.holiday_get(organization=self.organization, pk=self.kwargs["holiday_pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}

    def get_initial(self):
        return {"date": self.holiday.date, "name": self.holiday.name}

    def get_context_data(self, **kwargs):
        return super().get_context_data(holiday=self.holiday, **kwargs)

    def form_valid(self, form):
        try:
            services.holiday_update(
                organization=self.organization,
                actor=self.membership,
                holiday=self.holiday,
                day=form.cleaned_data["date"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            self.holiday.refresh_from_db()  # the page shows the saved holiday, not the refused change
            _add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s saved.") % {"name": self.holiday.name})
        return redirect(calendar_url(self.organization, self.holiday.date.year, f"holiday-{self.holiday.pk}"))


class HolidayDeleteView(OrganizationMixin, View):
    required_role = Role.ADMIN
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        holiday = selectors.holiday_get(organization=self.organization, pk=self.kwargs["holiday_pk"])
        services.holiday_delete(organization=self.organization, actor=self.membership, holiday=holiday)
        messages.success(
            request, _("%(name)s on %(date)s deleted.") % {"name": holiday.name, "date": date_format(holiday.date)}
        )
        return redirect(calendar_url(self.organization, holiday.date.year, "holidays"))


# Leave ------------------------------------------------------------------------------------------


def may_enter_leave(membership) -> bool:
    """Reps ask for their own leave; managers and admins enter it for their reps; HR only reads."""
    return membership.role in (Role.REP, Role.MANAGER) or membership.is_admin


def leave_rows(leaves, *, actor, actionable_rep_ids: set[int]) -> list[dict]:
    """Each leave with what the actor may do with it (the same rules the services enforce)."""
    rows = []
    for leave in leaves:
        own = leave.rep_id == actor.pk
        acts_for_rep = not own and leave.rep_id in actionable_rep_ids
        requested = leave.status == LeaveStatus.REQUESTED
        rows.append(
            {
                "leave": leave,
                "can_decide": requested and acts_for_rep,
                # A rep withdraws their undecided request; a manager withdraws approved leave (requested leave
                # they reject instead).
                "can_cancel": (own and requested and leave.rep_id in actionable_rep_ids)
                or (acts_for_rep and leave.status == LeaveStatus.APPROVED),
            }
        )
    return rows


def leave_list_url(organization, anchor: str = "") -> str:
    return organization_url("quotas:leave-list", organization, anchor=anchor)


class LeaveListView(OrganizationMixin, TemplateView):
    """Leave the member may see; the form asks for leave (a rep) or enters it approved (a manager or admin)."""

    required_role = Role.REP
    template_name = "quotas/leave_list.html"

    def get_context_data(self, **kwargs):
        organization, actor = self.organization, self.membership
        leaves = selectors.leave_list(organization=organization, viewer=actor)
        actionable = rep_ids_loggable_by(organization=organization, actor=actor)
        page = Paginator(leaves.exclude(status=LeaveStatus.REQUESTED), LEAVE_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        if may_enter_leave(actor):
            kwargs.setdefault("form", LeaveForm(organization=organization, actor=actor))
        context = {
            "pending_rows": leave_rows(
                leaves.filter(status=LeaveStatus.REQUESTED), actor=actor, actionable_rep_ids=actionable
            ),
            "rows": leave_rows(page.object_list, actor=actor, actionable_rep_ids=actionable),
            "page_obj": page,
            "show_rep": actor.role != Role.REP,
            "for_self": actor.role == Role.REP,
        }
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        if not may_enter_leave(self.membership):
            raise PermissionDenied
        form = LeaveForm(request.POST, organization=self.organization, actor=self.membership)
        if form.is_valid():
            data = form.cleaned_data
            try:
                leave = services.leave_create(
                    organization=self.organization,
                    actor=self.membership,
                    rep=data["rep"],
                    start=data["start"],
                    end=data["end"],
                    reason=data["reason"],
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                values = {
                    "rep": leave.rep.user.display_name,
                    "start": date_format(leave.start),
                    "end": date_format(leave.end),
                }
                if leave.status == LeaveStatus.APPROVED:
                    message = _("Leave for %(rep)s from %(start)s to %(end)s entered and approved.") % values
                else:
                    message = _("Leave from %(start)s to %(end)s requested. Your manager will decide it.") % values
                messages.success(request, message)
                return redirect(leave_list_url(self.organization, f"leave-{leave.pk}"))
        return self.render_to_response(self.get_context_data(form=form))


class LeaveActionView(OrganizationMixin, View):
    """A POST button on a leave row: plain POST redirects back to the list; htmx gets the row re-rendered."""

    required_role = Role.REP
    http_method_names = ["post"]
    success_message = ""

    def perform(self, leave):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        leave = selectors.leave_get(organization=self.organization, viewer=self.membership, pk=self.kwargs["leave_pk"])
        error = success = None
        try:
            leave = self.perform(leave)  # PermissionDenied (not this member's to decide) answers 403
        except ValidationError as refusal:
            error = " ".join(error_messages(refusal))
        else:
            success = self.success_message % {"rep": leave.rep.user.display_name}
        if request.htmx:
            leave = selectors.leave_get(organization=self.organization, viewer=self.membership, pk=leave.pk)
            actionable = rep_ids_loggable_by(organization=self.organization, actor=self.membership)
            row = leave_rows([leave], actor=self.membership, actionable_rep_ids=actionable)[0]
            context = {
                "organization": self.organization,
                "row": row,
                "show_rep": self.membership.role != Role.REP,
                "error": error,
                "success": success,
            }
            return render(request, "quotas/partials/_leave_row.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, success)
        return redirect(leave_list_url(self.organization, f"leave-{leave.pk}"))


class LeaveApproveView(LeaveActionView):
    success_message = gettext_lazy("Leave of %(rep)s approved.")

    def perform(self, leave):
        return services.leave_approve(organization=self.organization, actor=self.membership, leave=leave)


class LeaveRejectView(LeaveActionView):
    success_message = gettext_lazy("Leave of %(rep)s rejected.")

    def perform(self, leave):
        return services.leave_reject(organization=self.organization, actor=self.membership, leave=leave)


class LeaveCancelView(LeaveActionView):
    success_message = gettext_lazy("Leave of %(rep)s cancelled.")

    def perform(self, leave):
        return services.leave_cancel(organization=self.organization, actor=self.membership, leave=leave)
