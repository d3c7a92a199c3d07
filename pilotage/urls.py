from alize.urlkit import page, under
from pilotage import views

app_name = "pilotage"

# The reports' archive and actions; settling an interrupted send is one view, two actions.
reports = under(
    "rapports/",
    page("", views.ReportListView, "report_list"),
    page("<int:pk>/pdf/", views.ReportDownloadView, "report_download"),
    page("<int:pk>/etat/", views.ReportStatusView, "report_status"),
    page("<int:pk>/confirmer/", views.SettleReportView, "report_confirm", action="confirm"),
    page("<int:pk>/renvoyer/", views.SettleReportView, "report_resend", action="resend"),
    page("financeurs/<int:funder_pk>/generer/", views.GenerateReportView, "report_generate"),
    page(
        "periodes/<int:period_pk>/generer/", views.GenerateReportView, "report_generate_programme"
    ),
    page(
        "financeurs/<int:funder_pk>/abonnement/",
        views.SubscriptionUpdateView,
        "subscription_update",
    ),
)

urlpatterns = [
    page("", views.DashboardView, "dashboard"),
    page("bassin/<int:pk>/", views.DashboardView, "basin_dashboard"),
    reports,
]
