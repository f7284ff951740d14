"""Thin views: resolve, validate with a form, call a service, redirect with a message."""

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from . import selectors, services
from .errors import error_messages
from .filters import MembershipFilter
from .forms import (
    InvitationForm,
    LanguageForm,
    MembershipForm,
    NameForm,
    OrganizationCreateForm,
    OrganizationSettingsForm,
    TeamForm,
)
from .mixins import OrganizationMixin
from .roles import Role
from .tables import InvitationTable, MembershipTable

INVITATION_SESSION_KEY = "accounts.invitation_token"


def _add_errors(form, error: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form, as if the form had found it."""
    for message in error_messages(error):
        form.add_error(None, message)


class HomeView(TemplateView):
    """`/`: the landing page for visitors, the list of their organizations for members."""

    def get_template_names(self):
        return ["accounts/home.html" if self.request.user.is_authenticated else "accounts/landing.html"]


class NameUpdateView(LoginRequiredMixin, FormView):
    """`/accounts/name/`: the user's name, which colleagues see instead of the e-mail address."""

    form_class = NameForm
    template_name = "accounts/name_update.html"

    def get_initial(self):
        return {"first_name": self.request.user.first_name, "last_name": self.request.user.last_name}

    def form_valid(self, form):
        services.user_name_set(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Name saved."))
        return redirect("accounts:name-update")


class LanguageUpdateView(LoginRequiredMixin, FormView):
    """`/accounts/language/`: the user's own language, for pages and e-mails in every organization. The language
    selector at the foot of every page posts here for signed-in users, so the choice follows them everywhere;
    the language cookie is kept in step (removed for "the organization's language")."""

    form_class = LanguageForm
    template_name = "accounts/language_update.html"

    def get_initial(self):
        return {"language": self.request.user.language}

    def form_valid(self, form):
        language = form.cleaned_data["language"]
        services.user_language_set(user=self.request.user, language=language)
        with translation.override(language or translation.get_language()):
            messages.success(self.request, _("Language saved."))
        response = redirect(self._next_url())
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )  # fmt: skip
        else:
            response.delete_cookie(
                settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )  # fmt: skip
        return response

    def _next_url(self) -> str:
        next_url = self.request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return next_url
        return reverse("accounts:language-update")


class OrganizationCreateView(LoginRequiredMixin, FormView):
    form_class = OrganizationCreateForm
    template_name = "accounts/organization_create.html"

    def form_valid(self, form):
        organization = services.organization_create(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("%(name)s is ready. Invite your team next.") % {"name": organization.name})
        return redirect("accounts:organization-home", org_slug=organization.slug)


class InvitationAcceptView(TemplateView):
    """The link in an invitation e-mail. Works signed out (new or existing account) and signed in."""

    template_name = "accounts/invitation_accept.html"

    def dispatch(self, request, *args, **kwargs):
        self.invitation = selectors.invitation_get_by_token(token=kwargs["token"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated and self.invitation.is_pending:
            # Whoever holds the link owns the mailbox: a sign-up with this address needs no extra verification.
            get_adapter(request).stash_verified_email(request, self.invitation.email)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user if self.request.user.is_authenticated else None
        next_url = self.request.path
        return super().get_context_data(
            invitation=self.invitation,
            problem=services.invitation_problem(invitation=self.invitation, user=user),
            signup_url=reverse("account_signup") + "?" + _query(email=self.invitation.email, next=next_url),
            login_url=reverse("account_login") + "?" + _query(next=next_url),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(reverse("account_login") + "?" + _query(next=request.path))
        try:
            membership = services.invitation_accept(invitation=self.invitation, user=request.user)
        except ValidationError as error:
            for message in error_messages(error):
                messages.error(request, message)
            return redirect(request.path)
        messages.success(
            request,
            _("Welcome to %(organization)s.") % {"organization": membership.organization.name},
        )
        return redirect("accounts:organization-home", org_slug=membership.organization.slug)


def _query(**params) -> str:
    return urlencode(params)


# Tenant pages ------------------------------------------------------------------------------------


class OrganizationHomeView(OrganizationMixin, TemplateView):
    required_role = Role.REP
    template_name = "accounts/organization_home.html"

    def get_context_data(self, **kwargs):
        sees_people = self.membership.has_role_at_least(Role.MANAGER)
        summary = selectors.organization_summary(organization=self.organization) if sees_people else None
        return super().get_context_data(summary=summary, **kwargs)


class OrganizationSettingsView(OrganizationMixin, FormView):
    required_role = Role.ADMIN
    form_class = OrganizationSettingsForm
    template_name = "accounts/organization_settings.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.organization, "actor": self.membership}

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if not form.fields[name].disabled}
        try:
            services.organization_update(organization=self.organization, actor=self.membership, **fields)
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Settings saved."))
        return redirect("accounts:organization-settings", org_slug=self.organization.slug)


class MemberListView(OrganizationMixin, SingleTableMixin, FilterView):
    required_role = Role.MANAGER
    table_class = MembershipTable
    filterset_class = MembershipFilter
    template_name = "accounts/member_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.membership_list(organization=self.organization)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "organization": self.organization}

    def get_table_kwargs(self):
        return {"can_edit": self.membership.is_admin}


class MemberUpdateView(OrganizationMixin, FormView):
    required_role = Role.ADMIN
    form_class = MembershipForm
    template_name = "accounts/member_update.html"

    @cached_property
    def member(self):
        return selectors.membership_get(organization=self.organization, pk=self.kwargs["member_pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization, "actor": self.membership}

    def get_initial(self):
        return MembershipForm.initial_for(self.member)

    def get_context_data(self, **kwargs):
        return super().get_context_data(member=self.member, **kwargs)

    def form_valid(self, form):
        try:
            services.membership_update(
                organization=self.organization, actor=self.membership, membership=self.member, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s updated.") % {"name": self.member.user.display_name})
        return redirect("accounts:member-list", org_slug=self.organization.slug)


class OrganizationActionView(OrganizationMixin, View):
    """A POST-only button (archive, deactivate, revoke…): run one service, report, go back."""

    http_method_names = ["post"]
    success_message = ""
    redirect_url_name = ""

    def get_object(self):
        raise NotImplementedError

    def perform(self, obj):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            self.perform(obj)
        except (ValidationError, PermissionDenied) as error:
            for message in error_messages(error):
                messages.error(request, message)
        else:
            messages.success(request, self.success_message % {"name": str(obj)})
        return redirect(self.redirect_url_name, org_slug=self.organization.slug)


class MemberActionView(OrganizationActionView):
    required_role = Role.ADMIN
    redirect_url_name = "accounts:member-list"

    def get_object(self):
        return selectors.membership_get(organization=self.organization, pk=self.kwargs["member_pk"])


class MemberDeactivateView(MemberActionView):
    success_message = gettext_lazy("%(name)s was deactivated and can no longer open this organization.")

    def perform(self, member):
        services.membership_deactivate(organization=self.organization, actor=self.membership, membership=member)


class MemberReactivateView(MemberActionView):
    success_message = gettext_lazy("%(name)s is active again.")

    def perform(self, member):
        services.membership_reactivate(organization=self.organization, actor=self.membership, membership=member)


class InvitationListView(OrganizationMixin, SingleTableMixin, FormView):
    """Open invitations and the form to send a new one."""

    required_role = Role.ADMIN
    table_class = InvitationTable
    form_class = InvitationForm
    template_name = "accounts/invitation_list.html"

    def get_table_data(self):
        return selectors.invitation_list_pending(organization=self.organization)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}

    def form_valid(self, form):
        try:
            invitation = services.invitation_create(
                organization=self.organization, invited_by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect("accounts:invitation-list", org_slug=self.organization.slug)


class InvitationActionView(OrganizationActionView):
    required_role = Role.ADMIN
    redirect_url_name = "accounts:invitation-list"

    def get_object(self):
        return selectors.invitation_get(organization=self.organization, pk=self.kwargs["invitation_pk"])


class InvitationResendView(InvitationActionView):
    success_message = gettext_lazy("Invitation to %(name)s sent again.")

    def perform(self, invitation):
        services.invitation_resend(organization=self.organization, invitation=invitation)


class InvitationRevokeView(InvitationActionView):
    success_message = gettext_lazy("Invitation to %(name)s withdrawn.")

    def perform(self, invitation):
        services.invitation_revoke(organization=self.organization, invitation=invitation)


class TeamListView(OrganizationMixin, TemplateView):
    required_role = Role.MANAGER
    template_name = "accounts/team_list.html"

    def get_context_data(self, **kwargs):
        teams = selectors.team_list(organization=self.organization, include_archived=True)
        return super().get_context_data(teams=teams, **kwargs)


class TeamDetailView(OrganizationMixin, TemplateView):
    required_role = Role.MANAGER
    template_name = "accounts/team_detail.html"

    def get_context_data(self, **kwargs):
        team = selectors.team_get(organization=self.organization, pk=self.kwargs["team_pk"])
        reps = selectors.team_reps(organization=self.organization, team=team)
        return super().get_context_data(team=team, reps=reps, **kwargs)


class TeamCreateView(OrganizationMixin, FormView):
    required_role = Role.ADMIN
    form_class = TeamForm
    template_name = "accounts/team_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}

    def form_valid(self, form):
        try:
            team = services.team_create(organization=self.organization, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Team %(name)s created.") % {"name": team.name})
        return redirect("accounts:team-detail", org_slug=self.organization.slug, team_pk=team.pk)


class TeamUpdateView(TeamCreateView):
    @cached_property
    def team(self):
        return selectors.team_get(organization=self.organization, pk=self.kwargs["team_pk"])

    def get_initial(self):
        return {
            "name": self.team.name,
            "managers": list(self.team.managers.all()),
            "reps": list(selectors.team_reps(organization=self.organization, team=self.team)),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(team=self.team, **kwargs)

    def form_valid(self, form):
        try:
            services.team_update(organization=self.organization, team=self.team, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Team %(name)s saved.") % {"name": self.team.name})
        return redirect("accounts:team-detail", org_slug=self.organization.slug, team_pk=self.team.pk)


class TeamActionView(OrganizationActionView):
    required_role = Role.ADMIN
    redirect_url_name = "accounts:team-list"

    def get_object(self):
        return selectors.team_get(organization=self.organization, pk=self.kwargs["team_pk"])


class TeamArchiveView(TeamActionView):
    success_message = gettext_lazy("Team %(name)s archived. Its reps are now without a team.")

    def perform(self, team):
        services.team_archive(organization=self.organization, team=team)


class TeamUnarchiveView(TeamActionView):
    success_message = gettext_lazy("Team %(name)s restored.")

    def perform(self, team):
        services.team_unarchive(organization=self.organization, team=team)
