"""The daily retention task (celery beat, `alize.settings.CELERY_BEAT_SCHEDULE`)."""

from celery import shared_task

from rgpd import policy, services


@shared_task
def apply_retention() -> dict[str, int]:
    """Every night: apply the retention policy, or only list what it would do unless
    `RGPD_RETENTION_APPLY` is set. How many rows each kind reached."""
    plans = services.apply_retention(apply=policy.applies())
    return {planned.retention.kind: planned.count for planned in plans}
