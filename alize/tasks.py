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

    result = audit.verify(connection)
    logger.info("audit trail heads: %s", result.heads)
    if result.intact:
        return True
    lines = "\n".join(f"- {broken}" for broken in result.breaks)
    message = EmailMessage(
        subject="Alizé : le journal d'audit a été altéré",
        body=(
            "La vérification quotidienne des empreintes du journal d'audit a trouvé des "
            f"maillons rompus :\n\n{lines}\n\nLancez « manage.py verify_audit_trail » et "
            "suivez la procédure de restauration (docs/audit.md)."
        ),
        to=_administrators(),
    )
    if message.to:
        outbox.deliver(
            kind=DeliveryKind.MESSAGE,
            key=f"audit-{timezone.localdate().isoformat()}",
            message=message,
        )
    return False


def _administrators() -> list[str]:
    from alize.models import Role, User

    return sorted(
        User.objects.filter(is_active=True)
        .filter(models.Q(is_superuser=True) | models.Q(groups__name=Role.ADMIN))
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


@shared_task
def report_infected_file(*, key: str, what: str, name: str, signature: str, by: str = "") -> int:
    """Tell the administrators that the antivirus found a virus in a file, once per `key`
    (the file's content for a refused upload, the stored row for a rescanned one). The
    number of messages handed off."""
    message = EmailMessage(
        subject="Alizé : l'antivirus a détecté un fichier infecté",
        body=(
            f"L'antivirus a détecté « {signature} » dans {what}"
            f"{f' (fichier « {name} »)' if name else ''}"
            f"{f', déposé par {by}' if by else ''}.\n\n"
            "Le fichier ne peut pas être téléchargé. Vérifiez le poste de la personne qui "
            "l'a déposé et supprimez le fichier s'il a été enregistré."
        ),
        to=_administrators(),
    )
    if not message.to:
        return 0
    return outbox.deliver(kind=DeliveryKind.MESSAGE, key=f"antivirus-{key}", message=message)


@shared_task
def rescan_pending_files() -> dict[str, int]:
    """Every ten minutes: scan again the files stored while clamd was unreachable; clean,
    they become downloadable; infected, they stay refused and the administrators are told.
    A file stays pending while clamd does not answer. How many files ended in each status."""
    from alize import antivirus

    counts = {antivirus.ScanStatus.CLEAN: 0, antivirus.ScanStatus.INFECTED: 0}
    for scanned in antivirus.SCANNED_FIELDS:
        manager = scanned.model._default_manager
        pending = (
            manager.filter(**{scanned.status_field: antivirus.ScanStatus.PENDING})
            .exclude(**{scanned.file_field: ""})
            .order_by("pk")
        )
        for row in pending.iterator():
            stored = getattr(row, scanned.file_field)
            try:
                with stored.open("rb") as handle:
                    verdict = antivirus.scan(handle)
            except antivirus.ClamdUnavailable as error:
                logger.warning("clamd unavailable, pending files wait: %s", error)
                return counts
            except FileNotFoundError:
                logger.error("Pending file missing from storage: %s", stored.name)
                continue
            manager.filter(pk=row.pk).update(**{scanned.status_field: verdict.status})
            counts[verdict.status] += 1
            if verdict.status == antivirus.ScanStatus.INFECTED:
                report_infected_file.delay(
                    key=f"{scanned.model._meta.label_lower}-{row.pk}",
                    what=f"{scanned.label} n° {row.pk}",
                    name=stored.name,
                    signature=verdict.signature,
                )
    return counts
