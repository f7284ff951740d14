"""HR's probation review: the list of reps in (or recently out of) probation, one rep's report with the
decision form, and the report as PDF and CSV.

HR reviewers, admins and owners see every rep and record decisions; a manager (whose role ranks above HR)
reads the list and reports of the reps of the teams they lead, without the decision form. HR only reads
activity and results: every page that changes entries or plans refuses HR (see those views).
"""

from decimal import Decimal

import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.generic import TemplateView

from accounts.mixins import OrganizationMixin
from accounts.roles import Role
from activities.tables import spreadsheet_safe

from ..forms.probation import ProbationDecisionForm
from ..pdf import decision_text, probation_report_pdf, status_text, window_text
from ..selectors import probation as selectors
from ..services.probation import may_decide, probation_decide
from .calendar import _add_service_errors
from .links import organization_url


def report_url(organization, rep, anchor: str = "") -> str:
    return organization_url("quotas:probation-report", organization, anchor=anchor, rep_pk=rep.pk)


class ProbationListView(OrganizationMixin, TemplateView):
    """Reps in probation (soonest ending first) and those whose probation ended in the last 90 days."""

    required_role = Role.HR
    template_name = "quotas/probation_list.html"

    def get_context_data(self, **kwargs):
        rows = selectors.probation_list(organization=self.organization, viewer=self.membership)
        context = {
            "active": [row for row in rows if row.is_active],
            "ended": [row for row in rows if not row.is_active],
            "recent_days": selectors.RECENT_DAYS,
            "due_days": selectors.DECISION_DUE_DAYS,
            "may_decide": may_decide(self.membership),
        }
        return super().get_context_data(**context, **kwargs)


class ProbationRepMixin(OrganizationMixin):
    """The rep of the URL: one the member may read who has a probation window (else 404)."""

    required_role = Role.HR

    @cached_property
    def rep(self):
        return selectors.probation_rep_get(
            organization=self.organization, viewer=self.membership, pk=self.kwargs["rep_pk"]
        )

    @cached_property
    def report(self):
        return selectors.probation_report(organization=self.organization, rep=self.rep)

    def filename(self, extension: str) -> str:
        name = slugify(self.rep.user.display_name) or f"rep-{self.rep.pk}"
        return f"probation-{name}-{self.organization.local_today().isoformat()}.{extension}"


class ProbationReportView(ProbationRepMixin, TemplateView):
    """The report, and (HR, admins, owners) the decision form; a decision posts here."""

    template_name = "quotas/probation_report.html"

    def get_context_data(self, **kwargs):
        report = self.report
        may = may_decide(self.membership)
        if may:
            kwargs.setdefault("form", ProbationDecisionForm(organization=self.organization))
        context = {
            "rep": self.rep,
            "report": report,
            "may_decide": may,
            "window": window_text(report),
            "status": status_text(report),
            "decisions": [{"decision": d, "text": decision_text(d)} for d in report.decisions],
        }
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        rep = self.rep  # 404 first: a rep the member may not read is not there at all
        if not may_decide(self.membership):
            raise PermissionDenied(_("Only HR reviewers, admins and owners record probation decisions."))
        form = ProbationDecisionForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                decision = probation_decide(
                    organization=self.organization, actor=self.membership, rep=rep,
                    decision=form.cleaned_data["decision"], new_end=form.cleaned_data["new_end"],
                    notes=form.cleaned_data["notes"],
                )  # fmt: skip
            except ValidationError as refusal:
                _add_service_errors(form, refusal)
            else:
                messages.success(request, _("Decision recorded: %(decision)s.") % {"decision": decision_text(decision)})
                return redirect(report_url(self.organization, rep, f"decision-{decision.pk}"))
        return self.render_to_response(self.get_context_data(form=form))


class ProbationReportPdfView(ProbationRepMixin, TemplateView):
    """The report as an A4 PDF, in the active language."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        pdf = probation_report_pdf(organization=self.organization, report=self.report, generated_by=request.user)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{self.filename("pdf")}"'
        return response


def report_table(report: selectors.ProbationReport) -> tablib.Dataset:
    """The report's period table as a dataset: the rows of the page's tables, with real dates and numbers."""
    headers = [pgettext("period", "Kind"), _("Period"), _("Start"), _("End"), _("Line"), _("Actual"), _("Target"), _("Attainment (%)"),
               _("Status"), _("Plan met")]  # fmt: skip
    dataset = tablib.Dataset(headers=[spreadsheet_safe(header) for header in headers], title=_("Probation"))
    for _kind, period, result in report.rows():
        money = result.line is not None and result.line.activity_type.is_money
        places = Decimal("0.01") if money else Decimal("1")
        row = [
            period.period.get_kind_display(),
            period.label,
            period.period.start,
            period.period.end,
            result.label,
            result.actual.quantize(places),
            result.target.quantize(places) if result.target is not None else None,
            int(result.attainment) if result.attainment is not None else None,
            result.get_status_display(),
            {True: _("Yes"), False: _("No"), None: ""}[period.plan_met],
        ]
        dataset.append([spreadsheet_safe(value) for value in row])
    return dataset


class ProbationReportCsvView(ProbationRepMixin, TemplateView):
    """The report's period table as CSV (UTF-8 with a BOM, so that spreadsheets read å, ä, ö)."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        content = "\ufeff" + report_table(self.report).export("csv")
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.filename("csv")}"'
        return response
