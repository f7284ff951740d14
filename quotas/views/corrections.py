"""Changing closed periods: reps' correction requests and their managers' decisions; the admin's periods
page with the audited reopen and the retry of a failed close.

Reps ask for corrections of their own entries; managers decide those of the reps of teams they lead, admins
all of them; HR reads. Only admins see the periods page.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.errors import error_messages
from accounts.mixins import OrganizationMixin
from accounts.roles import Role
from activities.selectors import rep_ids_loggable_by
from activities.services.locks import date_is_locked

from ..filters import PeriodFilter
from ..forms.corrections import CorrectionForm, DecisionForm, ReopenForm
from ..models import CorrectionStatus, PeriodStatus
from ..period_labels import period_label
from ..selectors import corrections as selectors
from ..selectors.calendar import quota_settings_get
from ..services import corrections as services
from ..services.close import close_cutoff
from .links import organization_url

PAGE_SIZE = 50


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when it names one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error_messages(error):
            form.add_error(None, message)


def correction_list_url(organization, anchor: str = "") -> str:
    return organization_url("quotas:correction-list", organization, anchor=anchor)


def today_url(organization, rep, day) -> str:
    """The Today page of `rep` on `day`, where an open period's entries are changed."""
    query = urlencode({"date": day.isoformat(), "rep": rep.pk})
    return reverse("activities:today", kwargs={"org_slug": organization.slug}) + "?" + query


# Corrections ------------------------------------------------------------------------------------


def correction_rows(corrections, *, actor, decidable_rep_ids: set[int]) -> list[dict]:
    """Each correction with whether the actor may decide it (the rules the services enforce)."""
    return [
        {
            "correction": correction,
            "can_decide": correction.status == CorrectionStatus.REQUESTED
            and correction.rep_id in decidable_rep_ids
            and correction.rep_id != actor.pk
            and correction.requested_by_id != actor.user_id,
        }
        for correction in corrections
    ]


class CorrectionListView(OrganizationMixin, TemplateView):
    """Requests waiting for a decision (all of them), then the decided ones, newest first, by pages."""

    required_role = Role.REP
    template_name = "quotas/correction_list.html"

    def get_context_data(self, **kwargs):
        organization, actor = self.organization, self.membership
        corrections = selectors.correction_list(organization=organization, viewer=actor)
        decidable = set()
        if actor.has_role_at_least(Role.MANAGER):
            decidable = rep_ids_loggable_by(organization=organization, actor=actor)
        page = Paginator(corrections.exclude(status=CorrectionStatus.REQUESTED), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        pending = corrections.filter(status=CorrectionStatus.REQUESTED)
        context = {
            "pending_rows": correction_rows(pending, actor=actor, decidable_rep_ids=decidable),
            "rows": correction_rows(page.object_list, actor=actor, decidable_rep_ids=decidable),
            "page_obj": page,
            "show_rep": actor.role != Role.REP,
            "can_request": actor.role == Role.REP,
        }
        return super().get_context_data(**context, **kwargs)


class CorrectionCreateView(OrganizationMixin, FormView):
    """A rep asks for a correction of their own activity in a closed period; `?entry=<id>` preselects one."""

    required_role = Role.REP
    template_name = "quotas/correction_form.html"
    form_class = CorrectionForm
    open_day = None  # the day of a refused request that is in an open period: link to its Today page

    def check_access(self):
        if self.membership.role != Role.REP:  # managers and admins decide corrections; they do not ask for them
            raise PermissionDenied

    @cached_property
    def requested_entry(self):
        """The entry named by ?entry= (the rep's own: anyone else's is 404), or None."""
        pk = self.request.GET.get("entry")
        if not pk:
            return None
        return selectors.rep_entry_get(organization=self.organization, rep=self.membership, pk=pk)

    @cached_property
    def open_entry(self):
        """The requested entry when its period is open (it can be edited directly)."""
        entry = self.requested_entry
        if entry is not None and not date_is_locked(organization=self.organization, day=entry.date):
            return entry
        return None

    def get_initial(self):
        entry = self.requested_entry
        if entry is None or self.open_entry is not None:
            return {}
        return {"entry": entry}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization, "rep": self.membership}

    def get_context_data(self, **kwargs):
        if self.open_day is not None:
            kwargs["open_day_url"] = today_url(self.organization, self.membership, self.open_day)
        return super().get_context_data(open_entry=self.open_entry, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        entry = data.get("entry")
        try:
            correction = services.correction_request(
                organization=self.organization,
                actor=self.membership,
                entry=entry,
                activity_type=None if entry else data.get("activity_type"),
                day=None if entry else data.get("date"),
                quantity=data["quantity"],
                reason=data["reason"],
            )
        except services.PeriodOpenError as error:
            self.open_day = data.get("date")
            add_service_errors(form, error)
            return self.form_invalid(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Correction requested. Your manager will decide it."))
        return redirect(correction_list_url(self.organization, f"correction-{correction.pk}"))


class CorrectionDecisionView(OrganizationMixin, View):
    """A decision posted from the list: back to the list, with what happened (PermissionDenied: 403)."""

    required_role = Role.MANAGER
    http_method_names = ["post"]
    success_message = ""

    def perform(self, correction, comment: str):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        correction = selectors.correction_get(
            organization=self.organization, viewer=self.membership, pk=self.kwargs["correction_pk"]
        )
        form = DecisionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect(correction_list_url(self.organization, f"correction-{correction.pk}"))
        try:
            correction = self.perform(correction, form.cleaned_data["comment"])
        except ValidationError as refusal:
            for message in error_messages(refusal):
                messages.error(request, message)
        else:
            messages.success(
                request, self.success_message % {"number": correction.pk, "rep": correction.rep.user.display_name}
            )
        return redirect(correction_list_url(self.organization, f"correction-{correction.pk}"))


class CorrectionApproveView(CorrectionDecisionView):
    success_message = gettext_lazy(
        "Correction #%(number)s of %(rep)s approved: the entry is changed and the period closed again."
    )

    def perform(self, correction, comment):
        return services.correction_approve(
            organization=self.organization, actor=self.membership, correction=correction, comment=comment
        )


class CorrectionRejectView(CorrectionDecisionView):
    success_message = gettext_lazy("Correction #%(number)s of %(rep)s rejected.")

    def perform(self, correction, comment):
        return services.correction_reject(
            organization=self.organization, actor=self.membership, correction=correction, comment=comment
        )


# Periods ----------------------------------------------------------------------------------------


def period_list_url(organization, anchor: str = "") -> str:
    return organization_url("quotas:period-list", organization, anchor=anchor)


class PeriodListView(OrganizationMixin, TemplateView):
    """Every period that has started, latest first: its status, closes and reopens, and what an admin can do."""

    required_role = Role.ADMIN
    template_name = "quotas/period_list.html"

    def get_context_data(self, **kwargs):
        organization = self.organization
        today = organization.local_today()
        filterset = PeriodFilter(
            self.request.GET or None, queryset=selectors.period_rows(organization=organization, day=today)
        )
        periods = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        page = Paginator(periods, PAGE_SIZE).get_page(self.request.GET.get("page"))
        grace = quota_settings_get(organization=organization).close_grace_minutes
        cutoff = close_cutoff(organization=organization, now=timezone.now(), grace_minutes=grace)
        rows = [
            {
                "period": period,
                "due": period.status == PeriodStatus.OPEN and period.end < cutoff,
                "last_reopen": next(iter(period.reopens.all()), None),
            }
            for period in page.object_list
        ]
        context = {
            "filter": filterset,
            "rows": rows,
            "page_obj": page,
            "reopen_form": ReopenForm(),
        }
        return super().get_context_data(**context, **kwargs)


class PeriodActionView(OrganizationMixin, View):
    required_role = Role.ADMIN
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        period = selectors.period_get(organization=self.organization, pk=self.kwargs["period_pk"])
        try:
            message = self.perform(period)
        except ValidationError as refusal:
            for text in error_messages(refusal):
                messages.error(request, text)
        else:
            messages.success(request, message)
        if self.safe_next():
            return redirect(request.POST["next"])
        return redirect(period_list_url(self.organization, f"period-{period.pk}"))

    def safe_next(self) -> bool:
        """Back to the page (with its filters) the button was on, when it is this organization's periods page."""
        target = self.request.POST.get("next", "")
        return target.startswith(period_list_url(self.organization)) and "//" not in target

    def perform(self, period) -> str:
        raise NotImplementedError


class PeriodReopenView(PeriodActionView):
    def perform(self, period) -> str:
        form = ReopenForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([message for errors in form.errors.values() for message in errors])
        reopened = services.period_reopen(
            organization=self.organization, actor=self.membership, period=period, reason=form.cleaned_data["reason"]
        )
        text = _(
            "%(period)s reopened: its entries can change until the next sweep closes it again (within minutes)."
        ) % {"period": period_label(reopened[0])}
        if len(reopened) > 1:
            text += " " + _("Reopened with it, since they share its days: %(periods)s.") % {
                "periods": ", ".join(period_label(p) for p in reopened[1:])
            }
        return text


class PeriodRetryView(PeriodActionView):
    def perform(self, period) -> str:
        period = services.period_retry(organization=self.organization, actor=self.membership, period=period)
        return _("%(period)s will be closed again at the next sweep (within minutes).") % {
            "period": period_label(period)
        }
