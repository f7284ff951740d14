"""Quota plans: the list, one plan with its version history, creating and editing (with a preview), archiving.

Everyone in the organization reads plans; managers write those of the teams they lead (and their reps),
admins and owners every plan. Editing never rewrites a period that has started: changed targets are
published as a new version from a later period (see services.plans).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from accounts.errors import error_messages
from accounts.mixins import OrganizationMixin
from accounts.roles import Role
from activities.selectors import activity_type_list, topic_suggestions

from ..filters import QuotaPlanFilter
from ..forms.plans import MAX_LINES, QuotaLineFormSet, QuotaPlanForm, QuotaVersionForm, line_initial
from ..models import PlanScope
from ..selectors import plans as selectors
from ..services import plans as services
from ..tables import QuotaPlanTable, plan_applies_to

LINES_PREFIX = "lines"


def plan_url(organization, plan) -> str:
    return reverse("quotas:plan-detail", kwargs={"org_slug": organization.slug, "plan_pk": plan.pk})


class QuotaPlanListView(OrganizationMixin, SingleTableMixin, FilterView):
    required_role = Role.REP
    template_name = "quotas/plan_list.html"
    table_class = QuotaPlanTable
    filterset_class = QuotaPlanFilter
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return selectors.quota_plan_rows(organization=self.organization)

    def get_filterset_kwargs(self, filterset_class):
        # Always bound, so that the page without parameters shows the active plans only.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get_table_kwargs(self):
        return {"organization": self.organization, "today": self.organization.local_today()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=self.membership.has_role_at_least(Role.MANAGER), **kwargs)


class QuotaPlanMixin(OrganizationMixin):
    """A page about one plan of the organization (404 for any other)."""

    @cached_property
    def plan(self):
        return selectors.quota_plan_get(organization=self.organization, pk=self.kwargs["plan_pk"])

    def may_edit(self) -> bool:
        return self.membership.has_role_at_least(Role.MANAGER) and services.plan_editable_by(
            actor=self.membership, scope=self.plan.scope, team=self.plan.team, rep=self.plan.rep
        )


class QuotaPlanEditorMixin(QuotaPlanMixin):
    """Writing a plan: managers for the teams they lead and their reps, admins and owners for every plan."""

    required_role = Role.MANAGER

    def check_access(self):
        if not self.may_edit():
            raise PermissionDenied


class QuotaPlanDetailView(QuotaPlanMixin, TemplateView):
    required_role = Role.REP
    template_name = "quotas/plan_detail.html"

    def get_context_data(self, **kwargs):
        today = self.organization.local_today()
        history = selectors.quota_plan_history(plan=self.plan, day=today, currency=self.organization.currency)
        return super().get_context_data(
            plan=self.plan,
            applies_to=plan_applies_to(self.plan),
            history=history,
            current=next((entry for entry in history if entry.state == "current"), None),
            scheduled=[entry for entry in reversed(history) if entry.state == "scheduled"],
            may_edit=self.may_edit(),
            **kwargs,
        )


class QuotaPlanFormView(OrganizationMixin, TemplateView):
    """Create a plan and publish its first version; the edit page (a subclass) publishes the next ones.

    Three buttons post the same form: "Add a line" shows one more empty line, "Preview" shows who would get
    what target (nothing is saved), and the main button saves through the services (all or nothing).
    """

    required_role = Role.MANAGER
    template_name = "quotas/plan_form.html"
    plan = None

    @cached_property
    def types(self) -> dict:
        return {str(t.pk): t for t in activity_type_list(organization=self.organization)}

    def plan_initial(self) -> dict:
        if self.membership.has_role_at_least(Role.ADMIN):
            return {"scope": PlanScope.ORGANIZATION}
        return {"scope": PlanScope.TEAM}

    def lines_initial(self) -> list[dict]:
        return []

    def build_forms(self, data=None):
        plan_form = QuotaPlanForm(
            data, organization=self.organization, actor=self.membership, plan=self.plan, initial=self.plan_initial()
        )
        lines = QuotaLineFormSet(data, prefix=LINES_PREFIX, types=self.types, initial=self.lines_initial())
        version_form = QuotaVersionForm(
            data, organization=self.organization, kind=plan_form.period_kind_value(), plan=self.plan
        )
        return plan_form, lines, version_form

    def get(self, request, *args, **kwargs):
        return self.show(*self.build_forms())

    def post(self, request, *args, **kwargs):
        if "add_line" in request.POST:
            return self.show(*self.build_forms(self.with_one_more_line(request.POST)))
        plan_form, lines, version_form = self.build_forms(request.POST)
        if not all([plan_form.is_valid(), lines.is_valid(), version_form.is_valid()]):  # all validated: all errors
            return self.show(plan_form, lines, version_form)
        if "preview" in request.POST:
            return self.show(plan_form, lines, version_form, preview=self.preview(plan_form, lines, version_form))
        try:
            message = self.save(plan_form, lines, version_form)
        except (ValidationError, PermissionDenied) as error:
            self.show_service_errors(error, plan_form, version_form)
            return self.show(plan_form, lines, version_form)
        messages.success(request, message)
        return redirect(plan_url(self.organization, self.saved_plan))

    @staticmethod
    def with_one_more_line(data):
        data = data.copy()
        key = f"{LINES_PREFIX}-TOTAL_FORMS"
        try:
            data[key] = str(min(int(data.get(key, "")) + 1, MAX_LINES))
        except ValueError:
            pass  # a tampered management form: the formset reports it
        return data

    def preview(self, plan_form, lines, version_form):
        plan = plan_form.unsaved_plan()
        effective_from = version_form.cleaned_data["effective_from"] or services.current_period_start(
            organization=self.organization, kind=plan.period_kind
        )
        return selectors.quota_plan_preview(
            organization=self.organization,
            plan=plan,
            lines=lines.line_data(),
            points_target=version_form.cleaned_data["points_target"],
            effective_from=effective_from,
        )

    def save(self, plan_form, lines, version_form) -> str:
        data, version = plan_form.cleaned_data, version_form.cleaned_data
        self.saved_plan = services.quota_plan_create(
            organization=self.organization,
            actor=self.membership,
            name=data["name"],
            period_kind=data["period_kind"],
            scope=data["scope"],
            team=data.get("team"),
            rep=data.get("rep"),
            lines=lines.line_data(),
            points_target=version["points_target"],
            effective_from=version["effective_from"],
            note=version["note"],
        )
        starts = version["effective_from"] or services.current_period_start(
            organization=self.organization, kind=self.saved_plan.period_kind
        )
        return _("Plan %(name)s created: version 1 applies from %(date)s.") % {
            "name": self.saved_plan.name, "date": date_format(starts)
        }  # fmt: skip

    @staticmethod
    def show_service_errors(error, plan_form, version_form) -> None:
        """A service's refusal on the form: on its field when it names one, else above the form."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                if field in version_form.fields:
                    version_form.add_error(field, errors)
                else:
                    plan_form.add_error(field if field in plan_form.fields else None, errors)
            return
        for message in error_messages(error):
            plan_form.add_error(None, message)

    def show(self, plan_form, lines, version_form, preview=None):
        context = self.get_context_data(
            plan=self.plan,
            plan_form=plan_form,
            lines=lines,
            version_form=version_form,
            preview=preview,
            topics=topic_suggestions(organization=self.organization),
        )
        return self.render_to_response(context)


class QuotaPlanCreateView(QuotaPlanFormView):
    pass


class QuotaPlanUpdateView(QuotaPlanEditorMixin, QuotaPlanFormView):
    """The name changes at once; changed targets become a new version from the next period (or a later one)."""

    @cached_property
    def latest_version(self):
        return selectors.quota_plan_versions(plan=self.plan).first()

    def plan_initial(self) -> dict:
        return {"name": self.plan.name}

    def lines_initial(self) -> list[dict]:
        return line_initial(self.latest_version) if self.latest_version is not None else []

    def build_forms(self, data=None):
        plan_form, lines, version_form = super().build_forms(data)
        if data is None and self.latest_version is not None and self.latest_version.points_target is not None:
            points = self.latest_version.points_target
            whole = points == points.to_integral_value()
            version_form.initial["points_target"] = points.quantize(1) if whole else points
        return plan_form, lines, version_form

    def get_context_data(self, **kwargs):
        today = self.organization.local_today()
        return super().get_context_data(
            applies_to=plan_applies_to(self.plan),
            latest_version=self.latest_version,
            in_force=selectors.version_in_force(self.plan, day=today),
            **kwargs,
        )

    def save(self, plan_form, lines, version_form) -> str:
        version = version_form.cleaned_data
        old_name = self.plan.name
        self.saved_plan = self.plan
        try:
            published = services.quota_plan_update(
                organization=self.organization,
                actor=self.membership,
                plan=self.plan,
                name=plan_form.cleaned_data["name"],
                lines=lines.line_data(),
                points_target=version["points_target"],
                effective_from=version["effective_from"],
                note=version["note"],
            )
        except (ValidationError, PermissionDenied):
            self.plan.refresh_from_db()  # the page shows the saved name, not the refused one
            raise
        if published is not None:
            return _("Version %(number)s of %(name)s published: it applies from %(date)s.") % {
                "number": published.number, "name": self.plan.name, "date": date_format(published.effective_from)
            }  # fmt: skip
        if self.plan.name != old_name:
            return _("Plan renamed to %(name)s. The targets did not change: no new version.") % {"name": self.plan.name}
        return _("Nothing changed: the targets are those of the latest version.")


class QuotaPlanActionView(QuotaPlanEditorMixin, View):
    """A POST-only button on the plan's page: run one service, report, go back to the plan."""

    http_method_names = ["post"]
    success_message = ""

    def perform(self, plan) -> None:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        plan = self.plan
        try:
            self.perform(plan)
        except (ValidationError, PermissionDenied) as error:
            for message in error_messages(error):
                messages.error(request, message)
        else:
            messages.success(request, self.success_message % {"name": plan.name})
        return redirect(plan_url(self.organization, plan))


class QuotaPlanArchiveView(QuotaPlanActionView):
    success_message = gettext_lazy("%(name)s archived: it no longer applies to open periods. Closed results keep it.")

    def perform(self, plan):
        services.quota_plan_archive(organization=self.organization, actor=self.membership, plan=plan)


class QuotaPlanUnarchiveView(QuotaPlanActionView):
    success_message = gettext_lazy("%(name)s restored: it applies again from the current period.")

    def perform(self, plan):
        services.quota_plan_unarchive(organization=self.organization, actor=self.membership, plan=plan)
