"""Celery tasks: thin interfaces that call a service."""

import hashlib

from celery import shared_task
from django.core.mail import EmailMessage

from alize.outbox import DeliveryKind
from alize.services import outbox


@shared_task(
    bind=True,
    autoretry_for=(OSError, outbox.HandOffRefused),
    retry_backoff=True,
    retry_backoff_max=4 * 60,  # below the broker's visibility timeout
    max_retries=5,
)
def send_email(
    self,
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    kind: str = DeliveryKind.MESSAGE,
):
    """Send one plain-text message, to each recipient at most once (the outbox keys it by
    the task's id, the same on a retry or a redelivery: they find it claimed; a message
    asked for again, such as a resent invitation, is another task); connection errors are
    retried with backoff. The number of messages handed off by this run."""
    key = self.request.id or hashlib.sha256("\x1f".join([subject, body, *to]).encode()).hexdigest()
    message = EmailMessage(subject=subject, body=body, to=to, from_email=from_email)
    return outbox.deliver(kind=kind, key=key, message=message)
