from django.urls import path

from pilotage import views

app_name = "pilotage"

# (route, view, name): the dashboard, then the reports' archive and actions.
ROUTES = (
    ("", views.DashboardView, "dashboard"),
    ("bassin/<int:pk>/", views.DashboardView, "basin_dashboard"),
    ("rapports/", views.ReportListView, "report_list"),
    ("rapports/<int:pk>/pdf/", views.ReportDownloadView, "report_download"),
    ("rapports/<int:pk>/etat/", views.ReportStatusView, "report_status"),
    ("rapports/financeurs/<int:funder_pk>/generer/", views.GenerateReportView, "report_generate"),
    (
        "rapports/periodes/<int:period_pk>/generer/",
        views.GenerateReportView,
        "report_generate_programme",
    ),
    (
        "rapports/financeurs/<int:funder_pk>/abonnement/",
        views.SubscriptionUpdateView,
        "subscription_update",
    ),
)

urlpatterns = [path(route, view.as_view(), name=name) for route, view, name in ROUTES]
