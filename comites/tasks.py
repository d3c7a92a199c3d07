"""Celery tasks of the committees: thin interfaces over `comites.emails`.

Retried on a passing failure (the messages already handed off are not sent again: the
outbox knows them); a worker that dies mid-task leaves its message unacknowledged
(`acks_late`), so the task comes back.
"""

from celery import shared_task

from comites import emails
from comites.models import Decision, Session

RETRIES = {
    "bind": True,
    "autoretry_for": (emails.SendingIncomplete, OSError),
    "retry_backoff": 60,
    "retry_backoff_max": 4 * 60,  # below the broker's visibility timeout
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(**RETRIES)
def send_convocation(self, session_id: int) -> int:
    """Email the session's convocation to each member (at most once each)."""
    return emails.send_convocation(Session.objects.get(pk=session_id))


@shared_task(**RETRIES)
def send_decision(self, decision_id: int) -> int:
    """Email the decision letter to the SME and the staff member in charge (at most once
    each)."""
    return emails.send_decision(Decision.objects.get(pk=decision_id))
