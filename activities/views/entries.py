"""One entry: its page with the audit trail, correcting it, removing it (only while its period is open)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.errors import error_messages
from accounts.mixins import OrganizationMixin
from accounts.roles import Role

from .. import selectors
from ..forms.entries import EntryForm
from ..services.entries import entry_delete, entry_update
from ..services.locks import date_is_locked
from .today import today_url


class EntryMixin(OrganizationMixin):
    required_role = Role.REP

    @cached_property
    def entry(self):
        return selectors.entry_get(organization=self.organization, viewer=self.membership, pk=self.kwargs["entry_pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            entry=self.entry,
            locked=date_is_locked(organization=self.organization, day=self.entry.date),
            may_change=selectors.rep_may_be_logged_by(actor=self.membership, rep=self.entry.rep),
            **kwargs,
        )


class EntryChangeMixin(EntryMixin):
    """Editing and deleting: only who may log for the entry's rep (the rep, their manager, admins)."""

    def check_access(self):
        if not selectors.rep_may_be_logged_by(actor=self.membership, rep=self.entry.rep):
            raise PermissionDenied


class EntryDetailView(EntryMixin, TemplateView):
    template_name = "activities/entry_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=selectors.entry_history(entry=self.entry), **kwargs)


class EntryUpdateView(EntryChangeMixin, FormView):
    form_class = EntryForm
    template_name = "activities/entry_update.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}

    def get_initial(self):
        entry = self.entry
        return {
            "activity_type": entry.activity_type,
            "date": entry.date,
            "quantity": entry.quantity.normalize() if not entry.activity_type.is_money else entry.quantity,
            "note": entry.note,
            "topic": entry.topic,
            "contact": entry.contact,
        }

    def form_valid(self, form):
        try:
            entry_update(organization=self.organization, actor=self.membership, entry=self.entry, data=form.entry_data())
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                for message in error_messages(error):
                    form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, _("Entry saved."))
        return redirect(today_url(self.organization, self.entry.rep, self.entry.date))


class EntryDeleteView(EntryChangeMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        entry = self.entry
        try:
            entry_delete(organization=self.organization, actor=self.membership, entry=entry)
        except (ValidationError, PermissionDenied) as error:
            for message in error_messages(error):
                messages.error(request, message)
            return redirect("activities:entry-detail", org_slug=self.organization.slug, entry_pk=entry.pk)
        messages.success(request, _("Entry deleted."))
        return redirect(today_url(self.organization, entry.rep, entry.date))
