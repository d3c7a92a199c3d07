from django.urls import include, path

app_name = "pilotage"

urlpatterns = [
    path("", include("pilotage.dashboard_urls")),
    path("rapports/", include("pilotage.report_urls")),
]
