"""The rep detail page: a manager (of the rep's team), HR, an admin or owner drills into one rep.

The trend of the closed periods per line (a kind picker: the kinds the rep has closed results in), the
conversion from activities to outcomes against the team median, the last 30 days' entries, leave, and the
flags with their threads. A rep outside the viewer's view, and every rep for a rep viewer, is 404.
"""

from datetime import timedelta

from django.utils.functional import cached_property
from django.views.generic import TemplateView

from accounts.mixins import OrganizationMixin
from accounts.roles import Role

from ..forms.reps import ConversionForm
from ..models import PeriodKind
from ..periods import organization_period_bounds
from ..selectors import reps as selectors
from ..selectors.conversion import conversion_activity_types, team_conversion
from ..selectors.flags import flag_access
from ..selectors.trends import last_closed_periods, rep_trend
from .links import organization_url

RECENT_DAYS = 30
RECENT_LIMIT = 15
TREND_PERIODS = 12
CONVERSION_MONTHS = 6
LEAVE_DAYS = 90  # leave that ended this long ago still shows


class RepDetailView(OrganizationMixin, TemplateView):
    # Reps pass the role check and then meet a 404 (the selector), like a rep outside a manager's teams.
    required_role = Role.REP
    template_name = "quotas/rep_detail.html"

    @cached_property
    def rep(self):
        return selectors.rep_detail_get(
            organization=self.organization, viewer=self.membership, pk=self.kwargs["rep_pk"]
        )

    def get(self, request, *args, **kwargs):
        self.rep  # 404 before any other work
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        organization, rep = self.organization, self.rep
        today = organization.local_today()
        context = {"rep": rep, "today": today}
        context.update(self.trend_context())
        context.update(self.conversion_context(today))

        since = today - timedelta(days=RECENT_DAYS - 1)
        entries = selectors.rep_recent_entries(organization=organization, rep=rep, since=since, limit=RECENT_LIMIT)
        context["entries"] = entries[:RECENT_LIMIT]
        context["more_entries"] = len(entries) > RECENT_LIMIT
        context["entries_since"] = since
        context["history_url"] = organization_url(
            "activities:entry-list", organization, query={"rep": rep.pk, "date_from": since.isoformat()}
        )
        context["progress_url"] = organization_url("quotas:my-progress", organization, query={"rep": rep.pk})
        context["leaves"] = selectors.rep_leave_list(
            organization=organization, rep=rep, since=today - timedelta(days=LEAVE_DAYS)
        )
        flags = selectors.rep_flag_list(organization=organization, rep=rep)
        access = flag_access(organization=organization, viewer=self.membership)
        context["flag_rows"] = [
            {"flag": flag, "can_acknowledge": access.may_acknowledge(flag), "can_comment": access.may_comment(flag)}
            for flag in flags
        ]
        return super().get_context_data(**context, **kwargs)

    def trend_context(self) -> dict:
        kinds = selectors.rep_result_kinds(organization=self.organization, rep=self.rep)
        kind = selectors.default_kind(kinds, self.request.GET.get("kind"))
        lines, periods = [], []
        if kind is not None:
            periods = last_closed_periods(organization=self.organization, kind=kind, count=TREND_PERIODS)
            lines = rep_trend(organization=self.organization, rep=self.rep, periods=periods)
        return {
            "trend_kinds": [(value, PeriodKind(value).label) for value in kinds],
            "trend_kind": kind,
            "trend_kind_label": PeriodKind(kind).label if kind else "",
            "trend_charts": [(line, f"trend-{kind}-{index}") for index, line in enumerate(lines, start=1)],
            "trend_periods": periods,
        }

    def conversion_context(self, today) -> dict:
        organization = self.organization
        closed_months = last_closed_periods(organization=organization, kind=PeriodKind.MONTH, count=CONVERSION_MONTHS)
        activity_types = conversion_activity_types(organization=organization)
        form = ConversionForm(
            self.request.GET if "conversion" in self.request.GET or "activities" in self.request.GET else None,
            closed_months=closed_months,
            activity_types=activity_types,
        )
        period, type_ids = form.chosen()
        if period is not None:
            start, end = period.start, period.end
        else:
            start, end = organization_period_bounds(organization, kind=PeriodKind.MONTH, day=today)
        conversion = team_conversion(
            organization=organization, rep=self.rep, start=start, end=end, activity_type_ids=type_ids
        )
        if not form.is_bound:
            form.initial = {"conversion": form.default_period()}
        return {
            "conversion_form": form,
            "conversion": conversion,
            "conversion_closed": period is not None,
            "conversion_default_types": not type_ids,
        }
