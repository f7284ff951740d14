from django.urls import path

from .views import entries, today

app_name = "activities"

# Mounted under /o/<org_slug>/ (see accounts.urls): every page here is a tenant page.
urlpatterns = [
    path("today/", today.TodayView.as_view(), name="today"),
    path("today/log/", today.EntryLogView.as_view(), name="entry-log"),
    path("today/undo/", today.EntryUndoView.as_view(), name="entry-undo"),
    path("entries/<int:entry_pk>/", entries.EntryDetailView.as_view(), name="entry-detail"),
    path("entries/<int:entry_pk>/edit/", entries.EntryUpdateView.as_view(), name="entry-update"),
    path("entries/<int:entry_pk>/delete/", entries.EntryDeleteView.as_view(), name="entry-delete"),
]
