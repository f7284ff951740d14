"""Admins manage the organization's activity types: add, edit, reorder, archive and restore.

Types are never deleted: entries and their history refer to them. Archiving hides a type from logging.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.errors import error_messages
from accounts.mixins import OrganizationMixin
from accounts.roles import Role

from .. import selectors
from ..forms.types import TYPE_FIELDS, ActivityTypeForm, ActivityTypeMoveForm
from ..models import Category
from ..services import types as services

CATEGORY_ORDER = [Category.ACTIVITY, Category.OUTCOME]  # as the Today page shows them


def type_list_url(organization, activity_type=None) -> str:
    url = reverse("activities:type-list", kwargs={"org_slug": organization.slug})
    return f"{url}#type-{activity_type.pk}" if activity_type is not None else url


def _add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when it names one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error_messages(error):
            form.add_error(None, message)


class ActivityTypeListView(OrganizationMixin, TemplateView):
    """Active types in the Today page's order (activities, then outcomes), archived ones last."""

    required_role = Role.ADMIN
    template_name = "activities/type_list.html"

    def get_context_data(self, **kwargs):
        types = list(selectors.activity_type_list(organization=self.organization, include_archived=True))
        active = sorted((t for t in types if not t.is_archived), key=lambda t: CATEGORY_ORDER.index(t.category))
        rows = []
        for index, activity_type in enumerate(active):
            before = active[index - 1] if index > 0 else None
            after = active[index + 1] if index + 1 < len(active) else None
            rows.append(
                {
                    "type": activity_type,
                    "can_move_up": before is not None and before.category == activity_type.category,
                    "can_move_down": after is not None and after.category == activity_type.category,
                }
            )
        rows += [{"type": t, "can_move_up": False, "can_move_down": False} for t in types if t.is_archived]
        return super().get_context_data(rows=rows, **kwargs)


class ActivityTypeCreateView(OrganizationMixin, FormView):
    required_role = Role.ADMIN
    form_class = ActivityTypeForm
    template_name = "activities/type_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}

    def form_valid(self, form):
        try:
            activity_type = services.activity_type_create(organization=self.organization, **form.type_fields())
        except ValidationError as error:
            _add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Activity type %(name)s created.") % {"name": activity_type.name})
        return redirect(type_list_url(self.organization, activity_type))


class ActivityTypeUpdateView(ActivityTypeCreateView):
    @cached_property
    def activity_type(self):
        return selectors.activity_type_get(organization=self.organization, pk=self.kwargs["type_pk"])

    def get_initial(self):
        initial = {name: getattr(self.activity_type, name) for name in TYPE_FIELDS}
        points = initial["points"]
        if points is not None and points == points.to_integral_value():
            initial["points"] = points.quantize(Decimal(1))  # "5", not "5.00"
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(activity_type=self.activity_type, **kwargs)

    def form_valid(self, form):
        try:
            services.activity_type_update(
                organization=self.organization, activity_type=self.activity_type, **form.type_fields()
            )
        except ValidationError as error:
            self.activity_type.refresh_from_db()  # the page shows the saved name, not the refused one
            _add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Activity type %(name)s saved.") % {"name": self.activity_type.name})
        return redirect(type_list_url(self.organization, self.activity_type))


class ActivityTypeActionView(OrganizationMixin, View):
    """A POST-only button on the list: run one service on one type, report, go back to its row."""

    required_role = Role.ADMIN
    http_method_names = ["post"]
    success_message = ""

    def perform(self, activity_type) -> None:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        activity_type = selectors.activity_type_get(organization=self.organization, pk=self.kwargs["type_pk"])
        try:
            self.perform(activity_type)
        except (ValidationError, PermissionDenied) as error:
            for message in error_messages(error):
                messages.error(request, message)
        else:
            if self.success_message:
                messages.success(request, self.success_message % {"name": activity_type.name})
        return redirect(type_list_url(self.organization, activity_type))


class ActivityTypeArchiveView(ActivityTypeActionView):
    success_message = gettext_lazy("%(name)s archived: it no longer shows on the Today page. Its entries are kept.")

    def perform(self, activity_type):
        services.activity_type_archive(organization=self.organization, activity_type=activity_type)


class ActivityTypeUnarchiveView(ActivityTypeActionView):
    success_message = gettext_lazy("%(name)s restored.")

    def perform(self, activity_type):
        services.activity_type_unarchive(organization=self.organization, activity_type=activity_type)


class ActivityTypeMoveView(ActivityTypeActionView):
    def perform(self, activity_type):
        form = ActivityTypeMoveForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose to move the type up or down."))
        services.activity_type_move(organization=self.organization, activity_type=activity_type, offset=form.offset())
