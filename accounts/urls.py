from django.urls import include, path

from . import views

app_name = "accounts"

# Every tenant page lives under /o/<org_slug>/ (resolved by accounts.middleware.TenancyMiddleware).
organization_patterns = [
    path("", views.OrganizationHomeView.as_view(), name="organization-home"),
    path("settings/", views.OrganizationSettingsView.as_view(), name="organization-settings"),
    path("members/", views.MemberListView.as_view(), name="member-list"),
    path("members/<int:member_pk>/edit/", views.MemberUpdateView.as_view(), name="member-update"),
    path("members/<int:member_pk>/deactivate/", views.MemberDeactivateView.as_view(), name="member-deactivate"),
    path("members/<int:member_pk>/reactivate/", views.MemberReactivateView.as_view(), name="member-reactivate"),
    path("invitations/", views.InvitationListView.as_view(), name="invitation-list"),
    path(
        "invitations/<int:invitation_pk>/resend/", views.InvitationResendView.as_view(), name="invitation-resend"
    ),
    path(
        "invitations/<int:invitation_pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation-revoke"
    ),
    path("teams/", views.TeamListView.as_view(), name="team-list"),
    path("teams/new/", views.TeamCreateView.as_view(), name="team-create"),
    path("teams/<int:team_pk>/", views.TeamDetailView.as_view(), name="team-detail"),
    path("teams/<int:team_pk>/edit/", views.TeamUpdateView.as_view(), name="team-update"),
    path("teams/<int:team_pk>/archive/", views.TeamArchiveView.as_view(), name="team-archive"),
    path("teams/<int:team_pk>/unarchive/", views.TeamUnarchiveView.as_view(), name="team-unarchive"),
]

urlpatterns = [
    path("organizations/new/", views.OrganizationCreateView.as_view(), name="organization-create"),
    # Beside allauth's account pages (/accounts/… is allauth's; this path is not one of them).
    path("accounts/language/", views.LanguageUpdateView.as_view(), name="language-update"),
    path("accounts/name/", views.NameUpdateView.as_view(), name="name-update"),
    path("o/<slug:org_slug>/", include(organization_patterns)),
]
