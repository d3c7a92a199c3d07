"""The demo's report subscriptions: the Porte du Hainaut intercommunality receives its
quarterly report, so that `manage.py send_due_reports` writes an emailed PDF to var/mail/.

A subscription is created once and never overwritten: a second load changes nothing, and
what a demo user changed on the subscription page stays.
"""

import pghistory

from alize.models import Role
from alize.services.common import create_validated
from demo.base import LoadReport, get_account, get_porte_du_hainaut_funder
from pilotage.models import Frequency, ReportSubscription

RECIPIENTS = ["financeur@alize.demo"]


def load_report_subscriptions(report: LoadReport) -> None:
    funder = get_porte_du_hainaut_funder()
    subscription = ReportSubscription.objects.filter(funder=funder).first()
    created = subscription is None
    if created:
        with pghistory.context(user=get_account(Role.MANAGER).pk):
            subscription = create_validated(
                ReportSubscription,
                funder=funder,
                frequency=Frequency.QUARTERLY,
                recipients=RECIPIENTS,
                active=True,
            )
    report.count(subscription, created=created)
