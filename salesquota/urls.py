from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.views import HomeView, InvitationAcceptView
from activities.api import urls as activities_api
from quotas.api import urls as quotas_api

from .health import healthz

# The admin signs in through allauth's login page: the same rate limits and two-factor step as everyone else's,
# instead of Django's own unthrottled admin login form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),  # load balancers: database and broker, no sign-in
    path("invitations/<str:token>/", InvitationAcceptView.as_view(), name="invitation-accept"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The JSON API (token authentication, no session): entries from activities, closed results from quotas.
    path("api/v1/", include(([*activities_api.urlpatterns, *quotas_api.urlpatterns], "api"))),
    path("", include("accounts.urls")),
    path("o/<slug:org_slug>/", include("activities.urls")),
    path("o/<slug:org_slug>/", include("quotas.urls")),
]
