"""The rep's progress: the "Progress" page and the panel the Today page shows under its buttons.

Both show, for every period kind the organization has plans for (the current week, month, …), each line
that applies to the rep with a progress bar, actual / target, attainment, what remains, the pace status
and why the target is what it is. The Today page does not import this module (activities never imports
quotas): it calls `today_progress_panel` through settings.TODAY_PANELS.
"""

from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from accounts.mixins import OrganizationMixin
from accounts.models import Membership, Organization
from accounts.roles import Role

from ..forms.progress import ProgressRepForm
from ..models import PeriodKind
from ..selectors.calendar import Availability
from ..selectors.plans import live_plan_period_kinds
from ..selectors.progress import Progress, progress_for_reps
from .progress_extras import progress_extras

CURRENT_TITLES = {
    PeriodKind.DAY: gettext_lazy("Today"),
    PeriodKind.WEEK: gettext_lazy("This week"),
    PeriodKind.MONTH: gettext_lazy("This month"),
    PeriodKind.QUARTER: gettext_lazy("This quarter"),
    PeriodKind.YEAR: gettext_lazy("This year"),
}


@dataclass(frozen=True)
class PeriodProgress:
    """One period of one rep, as the pages show it."""

    kind: str
    title: str
    start: date
    end: date
    days: str  # "4 of 5 working days: 1 holiday"
    lines: list[Progress]
    points: Progress | None


def availability_text(days: Availability) -> str:
    """The rep's available working days in the period, and why they are fewer than scheduled."""
    text = ngettext(
        "%(available)s of %(scheduled)s working day",
        "%(available)s of %(scheduled)s working days",
        days.scheduled,
    ) % {"available": days.available, "scheduled": days.scheduled}
    reasons = []
    if days.holidays:
        reasons.append(ngettext("%(count)s holiday", "%(count)s holidays", days.holidays) % {"count": days.holidays})
    if days.leave:
        reasons.append(
            ngettext("%(count)s day of leave", "%(count)s days of leave", days.leave) % {"count": days.leave}
        )
    if days.outside_employment:
        reasons.append(
            ngettext(
                "%(count)s day outside the employment",
                "%(count)s days outside the employment",
                days.outside_employment,
            )
            % {"count": days.outside_employment}
        )
    if not reasons:
        return text
    return _("%(days)s: %(reasons)s") % {"days": text, "reasons": ", ".join(reasons)}


def rep_progress_periods(*, organization: Organization, rep: Membership, day: date) -> list[PeriodProgress]:
    """The rep's progress in each period (of a kind with live plans) containing `day`; periods where no line
    and no points target applies to the rep are left out. A fixed number of queries per period kind."""
    today = organization.local_today()
    periods = []
    for kind in live_plan_period_kinds(organization=organization):
        (progress,) = progress_for_reps(organization=organization, reps=[rep], kind=kind, day=day)
        if not progress.lines and progress.points is None:
            continue
        current = progress.start <= today <= progress.end
        periods.append(
            PeriodProgress(
                kind=kind,
                title=str(CURRENT_TITLES[kind] if current else PeriodKind(kind).label),
                start=progress.start,
                end=progress.end,
                days=availability_text(progress.availability),
                lines=progress.lines,
                points=progress.points,
            )
        )
    return periods


def today_progress_panel(*, organization: Organization, rep: Membership, day: date) -> str:
    """The Today page's progress panel (see settings.TODAY_PANELS): nothing when no plan applies to the rep.

    Rendered into the Today panel itself, so that the htmx response after each log carries the new numbers.
    """
    periods = rep_progress_periods(organization=organization, rep=rep, day=day)
    if not periods:
        return ""
    return render_to_string(
        "quotas/partials/_today_progress.html", {"organization": organization, "rep": rep, "periods": periods}
    )


class MyProgressView(OrganizationMixin, TemplateView):
    """A rep's own progress; managers and admins pick one of the reps they log for, HR any rep (read-only)."""

    required_role = Role.REP
    template_name = "quotas/progress_detail.html"

    def get_context_data(self, **kwargs):
        organization = self.organization
        form = ProgressRepForm(self.request.GET or None, organization=organization, viewer=self.membership)
        if form.is_bound and not form.is_valid():
            raise Http404  # a rep the viewer may not see, or of another organization: as if it did not exist
        reps = list(form.fields["rep"].queryset)
        chosen = form.cleaned_data.get("rep") if form.is_bound else None
        rep = chosen or next((r for r in reps if r.pk == self.membership.pk), None) or (reps[0] if reps else None)
        today = organization.local_today()
        periods = rep_progress_periods(organization=organization, rep=rep, day=today) if rep is not None else []
        if rep is not None:  # streaks, the week at a glance, flags, closed results and their trend
            kwargs.update(
                progress_extras(
                    organization=organization, viewer=self.membership, rep=rep, today=today,
                    trend_kind=self.request.GET.get("trend"),
                )  # fmt: skip
            )
        return super().get_context_data(
            picker=form,
            reps=reps,
            rep=rep,
            own=rep is not None and rep.pk == self.membership.pk,
            today=today,
            periods=periods,
            **kwargs,
        )
