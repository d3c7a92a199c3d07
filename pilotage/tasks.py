"""Celery tasks of the reports: thin interfaces over `pilotage.services`."""

import logging

from celery import shared_task

from pilotage import services
from pilotage.models import Report, ReportStatus

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task
def send_due_reports() -> int:
    """Daily (beat): create the reports due today and enqueue each one not sent yet."""
    return len(services.create_due_reports())


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=60,  # 1, 2, then 4 minutes…
    # Below the broker's visibility timeout (settings.TASK_VISIBILITY_TIMEOUT): a retry
    # waiting longer in a worker would be handed out a second time by Redis.
    retry_backoff_max=4 * 60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    # A worker that dies mid-task leaves the message unacknowledged: another worker takes it
    # again (at once when only the task's process died, after the visibility timeout when
    # the whole worker did), and finds the report as far as the dead one went: built, its
    # messages claimed, handed off, or interrupted during a hand-off (never resent).
    acks_late=True,
    reject_on_worker_lost=True,
)
def build_and_send_report(self, report_id: int) -> str:
    """Build the report's PDF if it is not built yet, then email it at most once.

    A transient failure (mail server, disk) is retried with exponential backoff; after the
    last attempt the report is marked failed with the error for the operator to read. A
    report without valid recipients fails at once: retrying would not change that.
    """
    try:
        services.build_report(report_id=report_id)
        services.send_report(report_id=report_id)
        if Report.objects.filter(pk=report_id, status=ReportStatus.TO_VERIFY).exists():
            return "a_verifier"
    except Report.DoesNotExist:
        logger.warning("Report %s vanished before it was sent", report_id)
        return "absent"
    except services.RecipientsRefused as refusal:
        services.record_failure(report_id=report_id, error=str(refusal), final=True)
        return "echec"
    except Exception as exc:
        final = self.request.retries >= self.max_retries
        services.record_failure(
            report_id=report_id, error=f"{exc.__class__.__name__} : {exc}", final=final
        )
        if final:
            logger.exception(
                "Report %s failed after %s attempts", report_id, self.request.retries + 1
            )
            return "echec"
        raise
    return "envoye"
