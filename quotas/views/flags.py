"""Flags: the inbox, one flag with its results and thread, acknowledging and responding.

Everyone sees the flags of the reps whose activity they see (a rep their own, a manager their teams', HR,
admins and owners everyone's). The rep's managers and admins acknowledge (a result below the minimum needs a
comment) and comment; the rep responds; HR reads. "Exceeded" flags are recognition, shown as such.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.errors import error_messages
from accounts.mixins import OrganizationMixin
from accounts.roles import Role

from ..forms.flags import FlagAcknowledgeForm, FlagCommentForm
from ..selectors import flags as selectors
from ..selectors.reps import rep_detail_get
from ..services import flags as services
from .links import organization_url

FLAG_PAGE_SIZE = 50

FILTER_LABELS = {
    selectors.FlagFilter.OPEN: gettext_lazy("Open"),
    selectors.FlagFilter.ACKNOWLEDGED: gettext_lazy("Acknowledged"),
    selectors.FlagFilter.ALL: gettext_lazy("All"),
}
KIND_FILTER_LABELS = {
    selectors.FlagKindFilter.ANY: gettext_lazy("Every kind"),
    selectors.FlagKindFilter.ATTENTION: gettext_lazy("To follow up"),
    selectors.FlagKindFilter.EXCEEDED: gettext_lazy("To recognise"),
}


def flag_list_url(organization, status: str = "", anchor: str = "", rep=None, kind: str = "") -> str:
    query = {"status": status} if status and status != selectors.FlagFilter.OPEN else {}
    if kind:
        query["kind"] = kind
    if rep is not None:
        query["rep"] = rep.pk
    return organization_url("quotas:flag-list", organization, query=query or None, anchor=anchor)


def flag_detail_url(organization, flag, anchor: str = "") -> str:
    return organization_url("quotas:flag-detail", organization, anchor=anchor, flag_pk=flag.pk)


def flag_rows(flags, *, access: selectors.FlagAccess) -> list[dict]:
    """Each flag with what the viewer may do with it (the rules the services enforce)."""
    return [
        {"flag": flag, "can_acknowledge": access.may_acknowledge(flag), "can_comment": access.may_comment(flag)}
        for flag in flags
    ]


class FlagListView(OrganizationMixin, TemplateView):
    """The flags inbox: newest first, filtered by status (open by default), kind (any by default) and rep."""

    required_role = Role.REP
    template_name = "quotas/flag_list.html"

    def get_context_data(self, **kwargs):
        organization, viewer = self.organization, self.membership
        status = self.request.GET.get("status")
        if status not in selectors.FlagFilter.CHOICES:
            status = selectors.FlagFilter.OPEN
        kind = self.request.GET.get("kind", "")
        if kind not in selectors.FlagKindFilter.CHOICES:
            kind = selectors.FlagKindFilter.ANY
        rep = self.rep_shown()
        flags = selectors.flag_list(
            organization=organization, viewer=viewer, status=status, kind=kind,
            rep_id=rep.pk if rep is not None else None,
        )  # fmt: skip
        page = Paginator(flags, FLAG_PAGE_SIZE).get_page(self.request.GET.get("page"))
        access = selectors.flag_access(organization=organization, viewer=viewer)
        filters = [
            {
                "value": value,
                "label": label,
                "url": flag_list_url(organization, value, rep=rep, kind=kind),
                "current": value == status,
            }
            for value, label in FILTER_LABELS.items()
        ]
        kind_filters = [
            {
                "label": label,
                "url": flag_list_url(organization, status, rep=rep, kind=value),
                "current": value == kind,
            }
            for value, label in KIND_FILTER_LABELS.items()
        ]
        context = {
            "rows": flag_rows(page.object_list, access=access),
            "page_obj": page,
            "status": status,
            "filters": filters,
            "kind_filters": kind_filters,
            "kind": kind,
            "show_rep": viewer.role != Role.REP,
            "next_url": self.request.get_full_path(),
            "rep_shown": rep,
            "all_reps_url": flag_list_url(organization, status, kind=kind),
        }
        return super().get_context_data(**context, **kwargs)

    def rep_shown(self):
        """?rep=<id> (the dashboard's link): one rep's flags; a rep the viewer may not see is 404."""
        raw = self.request.GET.get("rep", "")
        if not raw or self.membership.role == Role.REP:
            return None
        if not (raw.isascii() and raw.isdigit()):
            raise Http404
        return rep_detail_get(organization=self.organization, viewer=self.membership, pk=int(raw))


class FlagDetailView(OrganizationMixin, TemplateView):
    """One flag: the rep's results in the closed period, the thread, and the forms the viewer may use."""

    required_role = Role.REP
    template_name = "quotas/flag_detail.html"

    @cached_property
    def flag(self):
        return selectors.flag_get(organization=self.organization, viewer=self.membership, pk=self.kwargs["flag_pk"])

    @cached_property
    def access(self):
        return selectors.flag_access(organization=self.organization, viewer=self.membership)

    def get_context_data(self, **kwargs):
        organization, flag, access = self.organization, self.flag, self.access
        if access.may_acknowledge(flag):
            kwargs.setdefault("acknowledge_form", FlagAcknowledgeForm(organization=organization))
        if access.may_comment(flag):
            kwargs.setdefault("comment_form", FlagCommentForm(organization=organization))
        context = {
            "flag": flag,
            "results": list(selectors.flag_results(organization=organization, flag=flag)),
            "comments": list(selectors.flag_comment_list(organization=organization, flag=flag)),
            "own": flag.rep_id == self.membership.pk,
            "next_url": flag_detail_url(organization, flag),
        }
        return super().get_context_data(**context, **kwargs)

    def invalid(self, **forms):
        self.flag = selectors.flag_get(organization=self.organization, viewer=self.membership, pk=self.flag.pk)
        return self.render_to_response(self.get_context_data(**forms))


def _safe_next(request, organization) -> str | None:
    """Where a plain POST goes back to: a page of this organization, or None."""
    url = request.POST.get("next", "")
    prefix = reverse("accounts:organization-home", kwargs={"org_slug": organization.slug})
    if url.startswith(prefix) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return None


class FlagAcknowledgeView(FlagDetailView):
    """POST from a row of the inbox (htmx: the row comes back in place) or from the flag's page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = FlagAcknowledgeForm(request.POST, organization=self.organization)
        error = None
        if form.is_valid():
            try:
                # PermissionDenied (HR, the rep, another team's manager) answers 403.
                services.flag_acknowledge(
                    organization=self.organization, actor=self.membership, flag=self.flag,
                    comment=form.cleaned_data["comment"],
                )  # fmt: skip
            except ValidationError as refusal:
                error = " ".join(error_messages(refusal))
                form.add_error(None, refusal)
        else:
            error = " ".join(message for errors in form.errors.values() for message in errors)
        flag = self.flag
        if request.htmx:
            flag = selectors.flag_get(organization=self.organization, viewer=self.membership, pk=flag.pk)
            access = selectors.flag_access(organization=self.organization, viewer=self.membership)
            context = {
                "organization": self.organization,
                "membership": self.membership,
                "row": flag_rows([flag], access=access)[0],
                "show_rep": self.membership.role != Role.REP,
                "next_url": request.POST.get("next", ""),
                "error": error,
                "comment": request.POST.get("comment", "") if error else "",
                "success": None if error else _("Acknowledged."),
            }
            return render(request, "quotas/partials/_flag_row.html", context)
        if error:
            return self.invalid(acknowledge_form=form)
        messages.success(request, _("Flag of %(rep)s acknowledged.") % {"rep": flag.rep.user.display_name})
        return redirect(_safe_next(request, self.organization) or flag_detail_url(self.organization, flag))


class FlagRespondView(FlagDetailView):
    """POST a comment to the flag's thread: the rep's response, or a manager's comment."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = FlagCommentForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                comment = services.flag_comment_create(
                    organization=self.organization, actor=self.membership, flag=self.flag,
                    body=form.cleaned_data["body"],
                )  # fmt: skip
            except ValidationError as refusal:
                form.add_error(None, refusal)
            else:
                messages.success(request, _("Comment added."))
                return redirect(flag_detail_url(self.organization, self.flag, f"comment-{comment.pk}"))
        return self.invalid(comment_form=form)
