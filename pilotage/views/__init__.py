"""The screens of the pilotage app: the programme dashboard and the reports."""

from pilotage.views.dashboard import DashboardView
from pilotage.views.reports import (
    GenerateReportView,
    ReportDownloadView,
    ReportListView,
    ReportStatusView,
    SettleReportView,
    SubscriptionUpdateView,
)

__all__ = [
    "DashboardView",
    "GenerateReportView",
    "ReportDownloadView",
    "ReportListView",
    "ReportStatusView",
    "SettleReportView",
    "SubscriptionUpdateView",
]
