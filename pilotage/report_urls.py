from django.urls import path

from pilotage import report_views

urlpatterns = [
    path("", report_views.ReportListView.as_view(), name="report_list"),
    path("<int:pk>/pdf/", report_views.ReportDownloadView.as_view(), name="report_download"),
    path("<int:pk>/etat/", report_views.ReportStatusView.as_view(), name="report_status"),
    path(
        "financeurs/<int:funder_pk>/generer/",
        report_views.GenerateReportView.as_view(),
        name="report_generate",
    ),
    path(
        "periodes/<int:period_pk>/generer/",
        report_views.GenerateReportView.as_view(),
        name="report_generate_programme",
    ),
    path(
        "financeurs/<int:funder_pk>/abonnement/",
        report_views.SubscriptionUpdateView.as_view(),
        name="subscription_update",
    ),
]
