"""Celery tasks: thin interfaces that call a service."""

import hashlib
import logging

from celery import shared_task
from django.core.mail import EmailMessage
from django.db import models

from alize.outbox import DeliveryKind
from alize.services import outbox

logger = logging.getLogger(__name__)


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


@shared_task
def verify_audit_trail() -> bool:
    """Every night: recompute the audit trail's chains; when one is broken, tell the
    administrators (once a day, whatever the retries). Whether the trail is intact."""
    from django.db import connection
    from django.utils import timezone

    from alize import audit
    from alize.models import Role, User

    result = audit.verify(connection)
    logger.info("audit trail heads: %s", result.heads)
    if result.intact:
        return True
    administrators = (
        User.objects.filter(is_active=True)
        .filter(models.Q(is_superuser=True) | models.Q(groups__name=Role.ADMIN))
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    lines = "\n".join(f"- {broken}" for broken in result.breaks)
    message = EmailMessage(
        subject="Alizé : le journal d'audit a été altéré",
        body=(
            "La vérification quotidienne des empreintes du journal d'audit a trouvé des "
            f"maillons rompus :\n\n{lines}\n\nLancez « manage.py verify_audit_trail » et "
            "suivez la procédure de restauration (docs/audit.md)."
        ),
        to=sorted(administrators),
    )
    if message.to:
        outbox.deliver(
            kind=DeliveryKind.MESSAGE,
            key=f"audit-{timezone.localdate().isoformat()}",
            message=message,
        )
    return False
