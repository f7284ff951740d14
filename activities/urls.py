from django.urls import path

from .views import entries, history, imports, today
from .views import tokens as token_views
from .views import types as type_views

app_name = "activities"

# Mounted under /o/<org_slug>/ (see accounts.urls): every page here is a tenant page.
urlpatterns = [
    path("today/", today.TodayView.as_view(), name="today"),
    path("today/log/", today.EntryLogView.as_view(), name="entry-log"),
    path("today/undo/", today.EntryUndoView.as_view(), name="entry-undo"),
    path("activity/", history.EntryListView.as_view(), name="entry-list"),
    path("entries/<int:entry_pk>/", entries.EntryDetailView.as_view(), name="entry-detail"),
    path("entries/<int:entry_pk>/edit/", entries.EntryUpdateView.as_view(), name="entry-update"),
    path("entries/<int:entry_pk>/delete/", entries.EntryDeleteView.as_view(), name="entry-delete"),
    path("activity-types/", type_views.ActivityTypeListView.as_view(), name="type-list"),
    path("activity-types/new/", type_views.ActivityTypeCreateView.as_view(), name="type-create"),
    path("activity-types/<int:type_pk>/edit/", type_views.ActivityTypeUpdateView.as_view(), name="type-update"),
    path("activity-types/<int:type_pk>/move/", type_views.ActivityTypeMoveView.as_view(), name="type-move"),
    path("activity-types/<int:type_pk>/archive/", type_views.ActivityTypeArchiveView.as_view(), name="type-archive"),
    path(
        "activity-types/<int:type_pk>/unarchive/", type_views.ActivityTypeUnarchiveView.as_view(), name="type-unarchive"
    ),
    path("import/", imports.ImportCreateView.as_view(), name="import-create"),
    path("import/<int:batch_pk>/", imports.ImportDetailView.as_view(), name="import-detail"),
    path("import/<int:batch_pk>/commit/", imports.ImportCommitView.as_view(), name="import-commit"),
    path("api-tokens/", token_views.ApiTokenListView.as_view(), name="token-list"),
    path("api-tokens/<int:token_pk>/revoke/", token_views.ApiTokenRevokeView.as_view(), name="token-revoke"),
]
