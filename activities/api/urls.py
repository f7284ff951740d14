from django.urls import path
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

app_name = "api"

# Mounted at /api/v1/ (see salesquota.urls). Outside /o/<org_slug>/: the token names the organization.
urlpatterns = [
    path("activity-types/", views.ActivityTypeListView.as_view(), name="activity-type-list"),
    path("entries/", views.EntryListView.as_view(), name="entry-list"),
    path("entries/<int:entry_pk>/", views.EntryDetailView.as_view(), name="entry-detail"),
    # The OpenAPI schema (JSON; ?format=yaml for YAML) and Swagger UI from the sidecar's local files.
    path(
        "schema/",
        SpectacularAPIView.as_view(renderer_classes=[OpenApiJsonRenderer, OpenApiYamlRenderer]),
        name="schema",
    ),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
