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
    ("rapports/<int:pk>/confirmer/", views.SettleReportView, "report_confirm"),
    ("rapports/<int:pk>/renvoyer/", views.SettleReportView, "report_resend"),
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

# The actions of a view that does more than one thing (settling an interrupted send).
ACTIONS = {"report_confirm": {"action": "confirm"}, "report_resend": {"action": "resend"}}

urlpatterns = [
    path(route, view.as_view(**ACTIONS.get(name, {})), name=name) for route, view, name in ROUTES
]
