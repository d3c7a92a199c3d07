from django.urls import path

from pilotage import views

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("bassin/<int:pk>/", views.DashboardView.as_view(), name="basin_dashboard"),
]
