"""Celery tasks: thin interfaces that call a service."""

from celery import shared_task
from django.core.mail import EmailMessage


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(self, *, subject: str, body: str, to: list[str], from_email: str | None = None):
    """Send one plain-text message; connection errors are retried with backoff."""
    return EmailMessage(subject=subject, body=body, to=to, from_email=from_email).send()
