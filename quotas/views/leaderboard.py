"""The leaderboard: every rep of the organization ranked by attainment or points, for the current period of a
kind with plans or a recent closed one. Off by default (QuotaSettings.leaderboard_enabled, on the Calendar
page): then it is 404 for everyone but admins and owners, who get a page that says how to turn it on.
"""

from django.http import Http404
from django.template.response import TemplateResponse
from django.views.generic import TemplateView

from accounts.mixins import OrganizationMixin
from accounts.roles import Role

from ..forms.reps import CURRENT_PERIOD_LABELS, LeaderboardForm
from ..period_labels import period_label
from ..periods import organization_period_bounds
from ..selectors.calendar import quota_settings_get
from ..selectors.leaderboard import leaderboard_closed, leaderboard_current
from ..selectors.plans import live_plan_period_kinds
from ..selectors.trends import last_closed_periods
from .links import organization_url

CLOSED_CHOICES = 6  # closed periods per kind in the picker


class LeaderboardView(OrganizationMixin, TemplateView):
    required_role = Role.REP
    template_name = "quotas/leaderboard.html"

    def get(self, request, *args, **kwargs):
        if not quota_settings_get(organization=self.organization).leaderboard_enabled:
            if not self.membership.is_admin:
                raise Http404
            context = {
                "organization": self.organization,
                "membership": self.membership,
                "settings_url": organization_url("quotas:calendar", self.organization, anchor="working-days"),
            }
            return TemplateResponse(request, "quotas/leaderboard_off.html", context)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        organization = self.organization
        today = organization.local_today()
        kinds = live_plan_period_kinds(organization=organization)
        closed = {
            kind: last_closed_periods(organization=organization, kind=kind, count=CLOSED_CHOICES) for kind in kinds
        }
        form = LeaderboardForm(self.request.GET or None, kinds=kinds, closed=closed)
        kind, period, by = form.chosen()
        rows, title, start, end = [], "", None, None
        if period is not None:
            rows = leaderboard_closed(organization=organization, period=period, by=by)
            title, start, end = period_label(period), period.start, period.end
        elif kind is not None:
            start, end = organization_period_bounds(organization, kind=kind, day=today)
            rows = leaderboard_current(organization=organization, kind=kind, start=start, end=end, day=today, by=by)
            title = CURRENT_PERIOD_LABELS[kind]
        if not form.is_bound:
            form.initial = {"period": period.pk if period else kind, "by": by}
        context = {
            "form": form,
            "rows": rows,
            "by": by,
            "closed_period": period,
            "title": title,
            "start": start,
            "end": end,
            "has_plans": bool(kinds),
            "ranked": sum(1 for row in rows if row.rank is not None),
            "settings_url": organization_url("quotas:calendar", organization, anchor="working-days"),
        }
        return super().get_context_data(**context, **kwargs)
