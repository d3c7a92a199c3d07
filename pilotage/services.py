"""The writes of the pilotage app: the life of a report and the funders' subscriptions.

`create_due_reports` (the daily run), `build_report`, `send_report`, `record_failure`,
`request_report_now`, `confirm_report_sent`, `resend_report`, `save_subscription`. Each
report is one row (unique per funder and period); building locks that row, so a retried
task makes no second PDF; each message is claimed in the outbox before it leaves
(`alize.services.outbox`), so a retried task, a duplicated message or a worker that died
half-way never sends a second email.
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

from alize.models import Delivery, DeliveryKind, DeliveryState, Funder, User
from alize.pdf import pdf_filename
from alize.services import outbox
from alize.services.common import save_validated
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
        if report.status not in (ReportStatus.SENT, ReportStatus.TO_VERIFY):
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
        return save_validated(subscription)


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
    if report.status == ReportStatus.TO_VERIFY:
        raise ValidationError(
            "L'envoi de ce rapport est à vérifier : confirmez-le ou renvoyez-le depuis les "
            "archives."
        )
    if report.status == ReportStatus.FAILED:
        # Its messages that never left are claimed again, to the subscription's recipients.
        Delivery.objects.of(DeliveryKind.REPORT, report.pk).filter(
            state=DeliveryState.CLAIMED
        ).delete()
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
        outbox.kill_point(f"{DeliveryKind.REPORT}-{report.pk}", "building")
        report.pdf.save(name, ContentFile(pdf), save=False)
        report.status = ReportStatus.BUILT
        report.built_at = timezone.now()
        # The figures the PDF was built from are kept with it (see `Report.figures`).
        report.save(update_fields=["pdf", "status", "built_at", "programme_period", "figures"])
    return report


def send_report(*, report_id: int) -> bool:
    """Email the built report to each of its recipients, at most once. True when this call
    finished sending it.

    Steps, each committed on its own: the recipients' messages are claimed in the outbox
    (`alize.services.outbox`); each is handed to the mail server, its hand-off stamped
    right after; then the report is marked sent. A second task for the same report waits
    for the first (an advisory lock held across the steps), then finds it sent. A task
    that died before a hand-off sends that message again; one that died during it (or
    after it, before stamping it) leaves the report « envoi à vérifier » for staff.
    """
    with outbox.exclusive(*outbox.subject_lock(DeliveryKind.REPORT, report_id)):
        report = Report.objects.select_related("funder", "basin").filter(pk=report_id).first()
        if report is None:
            raise Report.DoesNotExist(report_id)
        if report.status in (ReportStatus.SENT, ReportStatus.TO_VERIFY):
            return False
        deliveries = list(Delivery.objects.of(DeliveryKind.REPORT, report.pk).order_by("pk"))
        if not deliveries:
            recipients = _recipients_of(report)
            _check_recipients(report, recipients)
            deliveries = outbox.claim(
                kind=DeliveryKind.REPORT,
                key=report.delivery_key,
                recipients=recipients,
                period=report.delivery_period,
                subject=_subject(report),
            )
        attachment = None
        for delivery in deliveries:
            if delivery.state not in (DeliveryState.CLAIMED, DeliveryState.HANDING_OFF):
                continue
            if attachment is None:
                with report.pdf.open("rb") as handle:
                    attachment = (report.pdf.name.rsplit("/", 1)[-1], handle.read())
            outbox.hand_off(delivery=delivery, message=_report_message(report, attachment))
        return _record_sending(report_id=report.pk)


def _subject(report: Report) -> str:
    return f"Alizé – {report.title} – {report.period_label}"


def _report_message(report: Report, attachment: tuple[str, bytes]) -> EmailMessage:
    message = EmailMessage(
        subject=_subject(report),
        body=render_to_string(
            "pilotage/reports/email_report.txt", {"report": report, "basin": report.basin}
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    message.attach(attachment[0], attachment[1], "application/pdf")
    return message


@transaction.atomic
def _record_sending(*, report_id: int) -> bool:
    """Mark the report as far as its messages went: sent once each has left (or staff
    said so), « envoi à vérifier » while one awaits staff. True when now sent."""
    report = Report.objects.select_for_update().get(pk=report_id)
    deliveries = list(Delivery.objects.of(DeliveryKind.REPORT, report.pk))
    if report.status == ReportStatus.SENT:
        return False
    fields = ["status", "recipients", "last_error"]
    report.recipients = [d.recipient for d in sorted(deliveries, key=lambda d: d.pk)]
    if deliveries and all(d.is_done for d in deliveries):
        report.status = ReportStatus.SENT
        report.sent_at = max(
            d.handed_off_at or d.confirmed_at or timezone.now() for d in deliveries
        )
        report.attempts += 1
        report.last_error = ""
        report.save(update_fields=[*fields, "sent_at", "attempts"])
        return True
    waiting = [d for d in deliveries if d.is_to_verify]
    if waiting:
        report.status = ReportStatus.TO_VERIFY
        report.last_error = " ".join(d.last_error for d in waiting)[:2000]
        report.save(update_fields=fields)
    return False


def report_deliveries(report: Report) -> list[Delivery]:
    """The report's messages in the outbox, one per recipient."""
    return list(Delivery.objects.of(DeliveryKind.REPORT, report.pk).order_by("pk"))


def confirm_report_sent(*, report: Report, by: User) -> Report:
    """Staff checked that the report's interrupted messages did reach their recipients:
    it is marked sent, nothing is resent."""
    with transaction.atomic():
        report = _locked_to_verify(report)
        outbox.confirm_sent(deliveries=_waiting(report), by=by)
    logger.info("Report %s confirmed sent by user %s", report.pk, by.pk)
    _record_sending(report_id=report.pk)
    report.refresh_from_db()
    return report


def resend_report(*, report: Report, by: User) -> Report:
    """Staff checked that the report's interrupted messages did not arrive: they are sent
    again (the same Message-ID), the others are not."""
    with transaction.atomic():
        report = _locked_to_verify(report)
        outbox.release_for_resend(deliveries=_waiting(report), by=by)
        report.status = ReportStatus.BUILT
        report.last_error = ""
        report.save(update_fields=["status", "last_error"])
        logger.info("Report %s resent by user %s", report.pk, by.pk)
        _enqueue(report)
    return report


def _locked_to_verify(report: Report) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.TO_VERIFY:
        raise ValidationError("Ce rapport n'a pas d'envoi à vérifier : rechargez la page.")
    return report


def _waiting(report: Report) -> list[Delivery]:
    return list(Delivery.objects.of(DeliveryKind.REPORT, report.pk).to_verify())


@transaction.atomic
def record_failure(*, report_id: int, error: str, final: bool) -> Report:
    """Count a failed attempt; after the last one, the report is failed with the reason."""
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status in (ReportStatus.SENT, ReportStatus.TO_VERIFY):
        return report
    report.attempts += 1
    report.last_error = error[:2000]
    if final:
        report.status = ReportStatus.FAILED
    report.save(update_fields=["attempts", "last_error", "status"])
    return report
