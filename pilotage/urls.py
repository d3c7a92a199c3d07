from django.urls import path

from pilotage import views

app_name = "pilotage"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("bassin/<int:pk>/", views.DashboardView.as_view(), name="basin_dashboard"),
    path("rapports/", views.ReportListView.as_view(), name="report_list"),
    path("rapports/<int:pk>/pdf/", views.ReportDownloadView.as_view(), name="report_download"),
    path("rapports/<int:pk>/etat/", views.ReportStatusView.as_view(), name="report_status"),
    path(
        "rapports/financeurs/<int:funder_pk>/generer/",
        views.GenerateReportView.as_view(),
        name="report_generate",
    ),
    path(
        "rapports/periodes/<int:period_pk>/generer/",
        views.GenerateReportView.as_view(),
        name="report_generate_programme",
    ),
    path(
        "rapports/financeurs/<int:funder_pk>/abonnement/",
        views.SubscriptionUpdateView.as_view(),
        name="subscription_update",
    ),
]
