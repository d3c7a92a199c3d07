"""The writes of the pilotage app: the life of a report and the funders' subscriptions.

`create_due_reports` (the daily run), `build_report`, `send_report`, `record_failure`,
`request_report_now`, `save_subscription`. Each report is one row (unique per funder and
period); building and sending lock that row, so a retried task, a duplicated message or a
worker that died half-way never makes a second PDF nor a second email.
"""

import datetime
import logging

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from alize.models import Funder, User
from alize.pdf import pdf_filename
from pilotage import reports, tasks
from pilotage.models import (
    Frequency,
    Report,
    ReportStatus,
    ReportSubscription,
    last_complete_period,
    validate_recipients,
)

logger = logging.getLogger(__name__)


class RecipientsRefused(Exception):
    """No recipient, or a malformed address: retrying will not help; the report fails."""


def _enqueue(report: Report) -> None:
    """Hand the report to a worker once the row is committed.

    Without a broker the task runs right here (the demo): whatever goes wrong is already
    written on the report by the task, and must not break the page or the command that
    asked for it.
    """

    def enqueue():
        try:
            tasks.build_and_send_report.delay(report.pk)
        except Exception:
            logger.exception("Report %s could not be handed to a worker", report.pk)

    transaction.on_commit(enqueue)


@transaction.atomic
def create_due_reports(*, today: datetime.date | None = None, enqueue: bool = True) -> list[Report]:
    """The daily run: for each active subscription, the report of the last complete period.

    Rows are got or created on their unique key, so running twice finds the same rows; each
    report not sent yet is (re-)enqueued (unless `enqueue` is false: the caller does it):
    the task itself skips what is already done.
    """
    today = today or timezone.localdate()
    due = []
    subscriptions = ReportSubscription.objects.active().select_related("funder__basin")
    for subscription in subscriptions:
        start, end = last_complete_period(subscription.frequency, today)
        funder = subscription.funder
        report, _ = Report.objects.get_or_create(
            funder=funder,
            period_start=start,
            period_end=end,
            defaults={"basin": funder.basin, "recipients": list(subscription.recipients)},
        )
        if report.status != ReportStatus.SENT:
            due.append(report)
            if enqueue:
                _enqueue(report)
    return due


@transaction.atomic
def save_subscription(*, subscription: ReportSubscription, by: User) -> ReportSubscription:
    """Save a funder's subscription (frequency, recipients, active), validated in full."""
    with pghistory.context(user=by.pk):
        if subscription.pk:
            ReportSubscription.objects.select_for_update().get(pk=subscription.pk)
        subscription.full_clean()
        subscription.save()
    return subscription


@transaction.atomic
def request_report_now(*, by: User, funder: Funder | None = None, period=None) -> Report:
    """« Générer maintenant »: a funder's report of its last complete period, or the
    programme report of a basin's period; a failed report is given a fresh start."""
    if funder is not None:
        subscription = ReportSubscription.objects.filter(funder=funder).first()
        frequency = subscription.frequency if subscription else Frequency.QUARTERLY
        start, end = last_complete_period(frequency, timezone.localdate())
        report, _ = Report.objects.get_or_create(
            funder=funder,
            period_start=start,
            period_end=end,
            defaults={"basin": funder.basin},
        )
    else:
        report, _ = Report.objects.get_or_create(
            funder=None,
            basin=period.basin,
            period_start=period.start_date,
            period_end=period.end_date,
            defaults={"programme_period": period},
        )
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status == ReportStatus.SENT:
        raise ValidationError("Ce rapport a déjà été envoyé : il est dans les archives.")
    if report.status == ReportStatus.FAILED:
        report.status = ReportStatus.BUILT if report.pdf else ReportStatus.PENDING
        report.attempts = 0
        report.last_error = ""
        report.save(update_fields=["status", "attempts", "last_error"])
    logger.info("Report %s requested by user %s", report.pk, by.pk)
    _enqueue(report)
    return report


def _recipients_of(report: Report) -> list[str]:
    if report.is_programme:
        return reports.steering_recipients(report.basin)
    subscription = ReportSubscription.objects.filter(funder_id=report.funder_id).first()
    return list(subscription.recipients) if subscription else []


def _check_recipients(report: Report, addresses: list[str]) -> None:
    if not addresses and report.is_programme:
        raise RecipientsRefused(
            "Aucun destinataire : le comité de pilotage du bassin n'a aucun membre actif."
        )
    if not addresses:
        raise RecipientsRefused(
            "Aucun destinataire : renseignez les adresses dans l'abonnement du financeur."
        )
    try:
        validate_recipients(addresses)
    except ValidationError as error:
        raise RecipientsRefused(" ".join(error.messages)) from error


def build_report(*, report_id: int) -> Report:
    """Build the report's PDF once: a report already built keeps its PDF."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status != ReportStatus.PENDING and report.pdf:
            return report
        if report.is_programme:
            period = report.programme_period or reports.period_on(report.basin, report.period_end)
            today = min(timezone.localdate(), report.period_end)
            pdf = reports.build_programme_report_pdf(
                report.basin, period, today=today, report=report
            )
            name = pdf_filename("rapport-programme", report.basin.name, report.period_label)
        else:
            report.programme_period = report.programme_period or reports.period_on(
                report.basin, report.period_end
            )
            pdf = reports.build_funder_report_pdf(report)
            name = pdf_filename("rapport", report.funder.name, report.period_label)
        report.pdf.save(name, ContentFile(pdf), save=False)
        report.status = ReportStatus.BUILT
        report.built_at = timezone.now()
        # The figures the PDF was built from are kept with it (see `Report.figures`).
        report.save(update_fields=["pdf", "status", "built_at", "programme_period", "figures"])
    return report


def send_report(*, report_id: int) -> bool:
    """Email the built report to its recipients, once. True when this call sent it.

    The row stays locked while the message goes out and is marked sent in the same
    transaction: a second task for the same report waits, then finds it sent.
    """
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("funder", "basin")
            .get(pk=report_id)
        )
        if report.status == ReportStatus.SENT:
            return False
        recipients = _recipients_of(report)
        _check_recipients(report, recipients)
        message = EmailMessage(
            subject=f"Alizé – {report.title} – {report.period_label}",
            body=render_to_string(
                "pilotage/reports/email_report.txt", {"report": report, "basin": report.basin}
            ),
            to=recipients,
            from_email=settings.DEFAULT_FROM_EMAIL,
        )
        with report.pdf.open("rb") as handle:
            message.attach(report.pdf.name.rsplit("/", 1)[-1], handle.read(), "application/pdf")
        message.send()
        report.status = ReportStatus.SENT
        report.sent_at = timezone.now()
        report.recipients = recipients
        report.attempts += 1
        report.last_error = ""
        report.save(update_fields=["status", "sent_at", "recipients", "attempts", "last_error"])
    return True


@transaction.atomic
def record_failure(*, report_id: int, error: str, final: bool) -> Report:
    """Count a failed attempt; after the last one, the report is failed with the reason."""
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status == ReportStatus.SENT:
        return report
    report.attempts += 1
    report.last_error = error[:2000]
    if final:
        report.status = ReportStatus.FAILED
    report.save(update_fields=["attempts", "last_error", "status"])
    return report
