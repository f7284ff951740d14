from django.urls import path

from .views import calendar, corrections, dashboard, flags, leaderboard, notifications, plans, probation, progress, reps

app_name = "quotas"

# Mounted under /o/<org_slug>/ (see salesquota.urls): every page here is a tenant page.
urlpatterns = [
    path("dashboard/", dashboard.TeamDashboardView.as_view(), name="team-dashboard"),
    path("overview/", dashboard.OrganizationOverviewView.as_view(), name="organization-overview"),
    path("progress/", progress.MyProgressView.as_view(), name="my-progress"),
    path("reps/<int:rep_pk>/", reps.RepDetailView.as_view(), name="rep-detail"),
    path("leaderboard/", leaderboard.LeaderboardView.as_view(), name="leaderboard"),
    path("plans/", plans.QuotaPlanListView.as_view(), name="plan-list"),
    path("plans/new/", plans.QuotaPlanCreateView.as_view(), name="plan-create"),
    path("plans/<int:plan_pk>/", plans.QuotaPlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:plan_pk>/edit/", plans.QuotaPlanUpdateView.as_view(), name="plan-update"),
    path("plans/<int:plan_pk>/archive/", plans.QuotaPlanArchiveView.as_view(), name="plan-archive"),
    path("plans/<int:plan_pk>/unarchive/", plans.QuotaPlanUnarchiveView.as_view(), name="plan-unarchive"),
    path("calendar/", calendar.CalendarView.as_view(), name="calendar"),
    path("calendar/holidays/<int:holiday_pk>/edit/", calendar.HolidayUpdateView.as_view(), name="holiday-update"),
    path("calendar/holidays/<int:holiday_pk>/delete/", calendar.HolidayDeleteView.as_view(), name="holiday-delete"),
    path("leave/", calendar.LeaveListView.as_view(), name="leave-list"),
    path("leave/<int:leave_pk>/approve/", calendar.LeaveApproveView.as_view(), name="leave-approve"),
    path("leave/<int:leave_pk>/reject/", calendar.LeaveRejectView.as_view(), name="leave-reject"),
    path("leave/<int:leave_pk>/cancel/", calendar.LeaveCancelView.as_view(), name="leave-cancel"),
    path("corrections/", corrections.CorrectionListView.as_view(), name="correction-list"),
    path("corrections/new/", corrections.CorrectionCreateView.as_view(), name="correction-create"),
    path("corrections/<int:correction_pk>/approve/", corrections.CorrectionApproveView.as_view(),
         name="correction-approve"),  # fmt: skip
    path("corrections/<int:correction_pk>/reject/", corrections.CorrectionRejectView.as_view(),
         name="correction-reject"),  # fmt: skip
    path("flags/", flags.FlagListView.as_view(), name="flag-list"),
    path("flags/<int:flag_pk>/", flags.FlagDetailView.as_view(), name="flag-detail"),
    path("flags/<int:flag_pk>/acknowledge/", flags.FlagAcknowledgeView.as_view(), name="flag-acknowledge"),
    path("flags/<int:flag_pk>/respond/", flags.FlagRespondView.as_view(), name="flag-respond"),
    path("notifications/", notifications.NotificationListView.as_view(), name="notification-list"),
    path("periods/", corrections.PeriodListView.as_view(), name="period-list"),
    path("periods/<int:period_pk>/reopen/", corrections.PeriodReopenView.as_view(), name="period-reopen"),
    path("periods/<int:period_pk>/retry/", corrections.PeriodRetryView.as_view(), name="period-retry"),
    path("probation/", probation.ProbationListView.as_view(), name="probation-list"),
    path("probation/<int:rep_pk>/", probation.ProbationReportView.as_view(), name="probation-report"),
    path("probation/<int:rep_pk>/pdf/", probation.ProbationReportPdfView.as_view(), name="probation-report-pdf"),
    path("probation/<int:rep_pk>/csv/", probation.ProbationReportCsvView.as_view(), name="probation-report-csv"),
]
