from django.contrib import admin
from django.urls import include, path

from accounts.views import HomeView, InvitationAcceptView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("invitations/<str:token>/", InvitationAcceptView.as_view(), name="invitation-accept"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("activities.api.urls")),  # the JSON API: token authentication, no session
    path("", include("accounts.urls")),
    path("o/<slug:org_slug>/", include("activities.urls")),
    path("o/<slug:org_slug>/", include("quotas.urls")),
]
