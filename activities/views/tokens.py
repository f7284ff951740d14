"""The API page: a member's personal access tokens for this organization — create (shown once), revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from accounts.errors import error_messages
from accounts.mixins import OrganizationMixin
from accounts.roles import Role

from .. import selectors
from ..forms.tokens import ApiTokenForm
from ..services.tokens import api_token_create, api_token_revoke


@method_decorator(never_cache, name="dispatch")  # the answer to a creation carries the secret: never cache it
class ApiTokenListView(OrganizationMixin, FormView):
    required_role = Role.REP
    form_class = ApiTokenForm
    template_name = "activities/token_list.html"

    def get_context_data(self, **kwargs):
        build = self.request.build_absolute_uri
        return super().get_context_data(
            tokens=selectors.api_token_list(organization=self.organization, membership=self.membership),
            docs_url=build(reverse("api:docs")),
            entries_url=build(reverse("api:entry-list")),
            types_url=build(reverse("api:activity-type-list")),
            example_date=self.organization.local_today().isoformat(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            token, secret = api_token_create(
                organization=self.organization, membership=self.membership, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            for message in error_messages(error):
                form.add_error(None, message)
            return self.form_invalid(form)
        # Shown in this answer only (no redirect, nothing kept in the session): only its hash is stored.
        return self.render_to_response(self.get_context_data(form=self.form_class(), new_token=token, secret=secret))


class ApiTokenRevokeView(OrganizationMixin, View):
    required_role = Role.REP
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        token = selectors.api_token_get(
            organization=self.organization, membership=self.membership, pk=kwargs["token_pk"]
        )
        api_token_revoke(organization=self.organization, membership=self.membership, token=token)
        messages.success(request, _("Token “%(name)s” revoked: it no longer opens the API.") % {"name": token.name})
        return redirect("activities:token-list", org_slug=self.organization.slug)
