from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

# The hash of the one inline <style> of drf-spectacular's Swagger UI page (drf_spectacular/swagger_ui.html), the
# only inline code it has once the split view serves the start-up script from docs/?script. A drf-spectacular
# upgrade that changes that <style> fails tests/test_security.py until this is updated.
SWAGGER_UI_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"

# Mounted at /api/v1/ in the namespace "api", with quotas' results (see salesquota.urls). Outside /o/<org_slug>/:
# the token names the organization.
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
    # No inline script (script-src stays 'self'); the page's inline <style> is allowed by its hash, here only.
    path(
        "docs/",
        csp_update({"style-src": [SWAGGER_UI_STYLE_HASH]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
]
