"""The results endpoint, mounted with the activities API at /api/v1/ (see salesquota.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("results/", views.ResultListView.as_view(), name="result-list"),
]
