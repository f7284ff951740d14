"""The web benchmark's URLconf (salesquota.settings.bench only): every URL of the project plus two baselines."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views import View

from accounts.mixins import OrganizationMixin
from accounts.roles import Role
from salesquota.urls import urlpatterns as project_urlpatterns


def minimal(request):
    """The least a Django view can do: through the whole middleware stack, no template (the middleware still
    loads the signed-in user: a session and a user query)."""
    return HttpResponse("ok", content_type="text/plain")


class LayoutView(OrganizationMixin, View):
    """An empty tenant page: the organization resolved, the role checked, base.html with its navigation rendered.
    What every page costs before its own content."""

    required_role = Role.REP
    template = None

    def get(self, request, *args, **kwargs):
        if LayoutView.template is None:
            LayoutView.template = engines["django"].from_string(
                '{% extends "base.html" %}{% block content %}<h1>Bench</h1>{% endblock content %}'
            )
        context = {"organization": self.organization, "membership": self.membership}
        return HttpResponse(LayoutView.template.render(context, request))


urlpatterns = [
    path("bench/minimal/", minimal, name="bench-minimal"),
    path("bench/o/<slug:org_slug>/layout/", LayoutView.as_view(), name="bench-layout"),
    *project_urlpatterns,
]
