"""The role × URL matrix: the pages of the funder reports, their archive and the indicators API."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from pilotage.models import Frequency, Report, ReportStatus, ReportSubscription
from tests.alize.matrix import LOGIN, NOT_FOUND, OK, PDF, REDIRECT, Page, expect

UNAUTHORIZED = 401

# The archive: the operators, the administrator, the steering committee (its basin's
# programme reports) and a funder's representative (its own funder's reports).
REPORTS_LIST = expect(steering=OK, funder=OK, other_steering=OK, other_funder=OK)
# A funder's report: its funder and the basin's operators; nobody of another basin.
FUNDER_REPORT = expect(funder=OK, other_staff=NOT_FOUND, other_manager=NOT_FOUND)
# Subscriptions and « Générer maintenant »: the basin's operators and the administrator.
MANAGE_OWN = expect(other_staff=NOT_FOUND, other_manager=NOT_FOUND)
GENERATE = {**MANAGE_OWN, "staff": REDIRECT, "manager": REDIRECT, "admin": REDIRECT}
# The API's documentation: the operators and the administrator, who hand tokens out.
OPERATORS = expect()
# The API's root has no page of its own.
NOWHERE = dict.fromkeys(REPORTS_LIST, NOT_FOUND) | {"anonymous": LOGIN}
# The API's data answer a bearer token only: a browser session, signed in or not, gets 401.
TOKEN_ONLY = dict.fromkeys(REPORTS_LIST, UNAUTHORIZED)

PAGES: dict[str, Page] = {
    "pilotage:report_list": Page(REPORTS_LIST, marker="basin"),
    "pilotage:report_download": Page(FUNDER_REPORT, {"pk": "report"}),
    "pilotage:report_status": Page(FUNDER_REPORT, {"pk": "report"}),
    "pilotage:report_generate": Page(GENERATE, {"funder_pk": "funder"}, post={}),
    "pilotage:report_confirm": Page(GENERATE, {"pk": "report"}, post={}),
    "pilotage:report_resend": Page(GENERATE, {"pk": "report"}, post={}),
    "pilotage:report_generate_programme": Page(GENERATE, {"period_pk": "period"}, post={}),
    "pilotage:subscription_update": Page(MANAGE_OWN, {"funder_pk": "funder"}),
    "api:openapi-json": Page(OPERATORS),
    "api:openapi-view": Page(OPERATORS),
    "api:api-root": Page(NOWHERE),
    "api:indicators": Page(TOKEN_ONLY),
    "api:basins": Page(TOKEN_ONLY),
}


def build(label: str, objects: dict) -> dict:
    """The objects these pages need in one basin, from the basin's common objects."""
    funder, basin, period = objects["funder"], objects["basin"], objects["period"]
    ReportSubscription.objects.create(
        funder=funder, frequency=Frequency.QUARTERLY, recipients=[f"{label.lower()}@agglo.test"]
    )
    report = Report(
        funder=funder,
        basin=basin,
        period_start=datetime.date(2007, 1, 1),
        period_end=datetime.date(2007, 3, 31),
        status=ReportStatus.BUILT,
        built_at=timezone.now(),
    )
    report.pdf.save("rapport.pdf", ContentFile(PDF), save=False)
    report.save()
    programme_report = Report.objects.create(
        basin=basin,
        programme_period=period,
        period_start=period.start_date,
        period_end=period.end_date,
    )
    return {"report": report, "programme_report": programme_report}


def attach(world: dict) -> None:
    """Links the actors to the objects (a committee seat, a funder's report)."""
