"""The rep's Today page: one row per activity type, one tap to log. htmx swaps the panel in place;
without JavaScript the same forms post and redirect back."""

from datetime import date
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.errors import error_messages
from accounts.mixins import OrganizationMixin
from accounts.models import Membership
from accounts.roles import Role
from accounts.templatetags.money import format_money

from .. import selectors
from ..forms.entries import EntryLogForm, TodayForm
from ..models import Category
from ..services.entries import check_date, entry_log, entry_undo_last

QUICK_QUANTITIES = (1, 5)
# The panel lists the day's latest entries and links to the rest (Activity history): a rep who taps +1 for every
# call logs dozens a day, and the page, and the panel each tap brings back, stay the same size.
ENTRIES_SHOWN = 10


def today_url(organization, rep: Membership, day: date) -> str:
    query = urlencode({"date": day.isoformat(), "rep": rep.pk})
    return reverse("activities:today", kwargs={"org_slug": organization.slug}) + "?" + query


def day_history_url(organization, rep: Membership, day: date) -> str:
    """Activity history showing every entry of the rep's day."""
    query = urlencode({"rep": rep.pk, "date_from": day.isoformat(), "date_to": day.isoformat()})
    return reverse("activities:entry-list", kwargs={"org_slug": organization.slug}) + "?" + query


@cache
def today_panels() -> list:
    """The extra sections of settings.TODAY_PANELS (e.g. the rep's progress, from quotas, which this app
    does not import): callables taking organization=, rep= and day= that return HTML."""
    return [import_string(path) for path in getattr(settings, "TODAY_PANELS", [])]


def panel_context(*, organization, actor: Membership, rep: Membership, day: date, logged=None) -> dict:
    """Everything the Today panel shows for one rep and day, in a fixed number of queries. `logged`: the entry
    this request has just logged for them on that day, which answers two of those queries (see below)."""
    totals = selectors.day_totals(organization=organization, rep=rep, day=day)
    entries = list(selectors.day_entries(organization=organization, rep=rep, day=day)[:ENTRIES_SHOWN])
    types = selectors.activity_type_list(organization=organization)
    groups = [
        (
            label,
            [
                {"type": t, "total": totals.get(t.pk, {}).get("total"), "count": totals.get(t.pk, {}).get("count", 0)}
                for t in types
                if t.category == category
            ],
        )
        for category, label in ((Category.ACTIVITY, _("Activities")), (Category.OUTCOME, _("Outcomes")))
    ]
    if logged is not None:
        # The day was checked to log it, and the actor's newest entry for the rep is the one just logged.
        closed_reason, last_entry = None, logged
    else:
        try:
            check_date(organization=organization, rep=rep, day=day)
            closed_reason = None
        except ValidationError as error:
            closed_reason = error.messages[0]
        last_entry = selectors.last_entry_by(organization=organization, actor=actor, rep=rep)
    return {
        "rep": rep,
        "day": day,
        "groups": [(label, rows) for label, rows in groups if rows],
        "quick_quantities": QUICK_QUANTITIES,
        "entries": entries,
        "entries_not_shown": sum(row["count"] for row in totals.values()) - len(entries),
        "entries_url": day_history_url(organization, rep, day),
        "last_entry": last_entry,
        "closed_reason": closed_reason,
        "on_behalf": rep.pk != actor.pk,
        "return_url": today_url(organization, rep, day),
        # Part of the panel, so that the htmx response after a log or an undo carries the new numbers.
        "extra_panels": [panel(organization=organization, rep=rep, day=day) for panel in today_panels()],
    }


class TodayView(OrganizationMixin, TemplateView):
    required_role = Role.REP
    template_name = "activities/today.html"

    def get_context_data(self, **kwargs):
        organization = self.organization
        form = TodayForm(self.request.GET or None, organization=organization, actor=self.membership)
        reps = form.fields["rep"].queryset
        chosen = form.cleaned_data if form.is_valid() else {}
        rep = chosen.get("rep") or next((r for r in reps if r.pk == self.membership.pk), None) or reps.first()
        day = chosen.get("date") or organization.local_today()
        # The day is in the context even without a rep to log for (HR): the heading reads "Today", never blank.
        context = {"picker": form, "reps": reps, "day": day, "today": organization.local_today()}
        if rep is not None:
            context.update(panel_context(organization=organization, actor=self.membership, rep=rep, day=day))
            context["topics"] = selectors.topic_suggestions(organization=organization)
        return super().get_context_data(**context, **kwargs)


class TodayActionView(OrganizationMixin, View):
    """Base of the Today page's buttons: answer htmx with the re-rendered panel, others with a redirect."""

    required_role = Role.REP
    http_method_names = ["post"]

    def respond(
        self, *, rep: Membership, day: date, error: str | None = None, success: str | None = None, logged=None
    ):
        if self.request.htmx:
            context = panel_context(
                organization=self.organization, actor=self.membership, rep=rep, day=day, logged=logged
            )
            context.update(organization=self.organization, error=error, success=success)
            return render(self.request, "activities/partials/_today_panel.html", context)
        if error:
            messages.error(self.request, error)
        elif success:
            messages.success(self.request, success)
        return redirect(today_url(self.organization, rep, day))


class EntryLogView(TodayActionView):
    def post(self, request, *args, **kwargs):
        form = EntryLogForm(request.POST, organization=self.organization, actor=self.membership)
        if not form.is_valid():
            rep = form.cleaned_data.get("rep") or self.membership
            day = form.cleaned_data.get("date") or self.organization.local_today()
            if "rep" in form.errors and not request.htmx:
                raise PermissionDenied  # a rep this member may not log for (or of another organization)
            return self.respond(rep=rep, day=day, error=" ".join(_form_errors(form)))
        rep = form.cleaned_data["rep"]
        data = form.entry_data()
        try:
            entry = entry_log(organization=self.organization, actor=self.membership, rep=rep, data=data)
        except (ValidationError, PermissionDenied) as error:
            return self.respond(rep=rep, day=data.date, error=" ".join(error_messages(error)))
        return self.respond(
            rep=rep,
            day=data.date,
            logged=entry,
            success=_("Logged %(quantity)s × %(type)s for %(date)s.")
            % {
                "quantity": _quantity(entry, self.organization.currency),
                "type": entry.activity_type.name,
                "date": date_format(entry.date),
            },
        )


class EntryUndoView(TodayActionView):
    def post(self, request, *args, **kwargs):
        form = TodayForm(request.POST, organization=self.organization, actor=self.membership)
        if not form.is_valid() or form.cleaned_data["rep"] is None:
            raise PermissionDenied
        rep = form.cleaned_data["rep"]
        day = form.cleaned_data["date"] or self.organization.local_today()
        try:
            undone = entry_undo_last(organization=self.organization, actor=self.membership, rep=rep)
        except (ValidationError, PermissionDenied) as error:
            return self.respond(rep=rep, day=day, error=" ".join(error_messages(error)))
        if undone is None:
            return self.respond(rep=rep, day=day, error=_("There is nothing to undo."))
        return self.respond(
            rep=rep,
            day=day,
            success=_("Undone: %(quantity)s × %(type)s on %(date)s.")
            % {
                "quantity": _quantity(undone, self.organization.currency),
                "type": undone.activity_type.name,
                "date": date_format(undone.date),
            },
        )


def _quantity(entry, currency: str) -> str:
    if entry.activity_type.is_money:
        return format_money(entry.quantity, currency)
    return number_format(entry.quantity, decimal_pos=0)


def _form_errors(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]
