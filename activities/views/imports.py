"""CSV import of entries (managers and admins): upload, a preview of every row's fate, then import."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.errors import error_messages
from accounts.mixins import OrganizationMixin
from accounts.roles import Role

from .. import selectors
from ..forms.imports import ImportUploadForm
from ..services.imports import (
    COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    REQUIRED_COLUMNS,
    Fate,
    import_batch_check,
    import_batch_commit,
    import_batch_create,
)

PREVIEW_PAGE_SIZE = 100


class ImportCreateView(OrganizationMixin, FormView):
    required_role = Role.MANAGER
    template_name = "activities/import_create.html"
    form_class = ImportUploadForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}

    def get_context_data(self, **kwargs):
        types = list(selectors.activity_type_list(organization=self.organization))
        yesterday = self.organization.local_today() - timedelta(days=1)
        return super().get_context_data(
            columns=COLUMNS,
            required_columns=REQUIRED_COLUMNS,
            types=types,
            example_type=next((t for t in types if not t.is_money), None),
            example_money_type=next((t for t in types if t.is_money), None),
            example_date=yesterday,
            max_rows=MAX_ROWS,
            max_bytes=MAX_UPLOAD_BYTES,
            batches=selectors.import_batch_list(organization=self.organization, uploader=self.membership),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            batch = import_batch_create(
                organization=self.organization, actor=self.membership, upload=form.cleaned_data["file"]
            )
        except (ValidationError, PermissionDenied) as error:
            for message in error_messages(error):
                form.add_error("file", message)
            return self.form_invalid(form)
        return redirect("activities:import-detail", org_slug=self.organization.slug, batch_pk=batch.pk)


class ImportBatchMixin(OrganizationMixin):
    required_role = Role.MANAGER

    @cached_property
    def batch(self):
        return selectors.import_batch_get(
            organization=self.organization, uploader=self.membership, pk=self.kwargs["batch_pk"]
        )


class ImportDetailView(ImportBatchMixin, TemplateView):
    """The preview: how many rows have each fate, then the rows, 100 a page (only those with errors, if any)."""

    template_name = "activities/import_detail.html"

    def get_context_data(self, **kwargs):
        context = {"batch": self.batch}
        if self.batch.committed_at is None:
            check = import_batch_check(organization=self.organization, actor=self.membership, batch=self.batch)
            show = self.request.GET.get("show")
            if show not in ("all", "errors"):
                show = "all" if check.is_valid else "errors"
            rows = check.rows if show == "all" else [row for row in check.rows if row.fate == Fate.ERROR]
            page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(self.request.GET.get("page"))
            columns = [column for column in COLUMNS if column in check.columns]  # the file's, in the usual order
            context.update(
                check=check,
                show=show,
                page=page,
                page_rows=[(row, [row.values.get(column, "") for column in columns]) for row in page.object_list],
                columns=columns,
            )
        return super().get_context_data(**context, **kwargs)


class ImportCommitView(ImportBatchMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        batch = self.batch
        try:
            created = import_batch_commit(organization=self.organization, actor=self.membership, batch=batch)
        except (ValidationError, PermissionDenied) as error:
            for message in error_messages(error):
                messages.error(request, message)
        else:
            messages.success(
                request,
                ngettext("Imported %(count)s entry.", "Imported %(count)s entries.", created)
                % {"count": number_format(created, force_grouping=True)},
            )
        return redirect("activities:import-detail", org_slug=self.organization.slug, batch_pk=batch.pk)
