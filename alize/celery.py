"""The Celery application. With CELERY_BROKER_URL unset, tasks run in-process (eager).

Its settings are Django's `CELERY_*` (alize/settings.py): a task is acknowledged once it
has run (`task_acks_late`) and handed back when its process dies
(`task_reject_on_worker_lost`); a task lost with its whole worker comes back after the
broker's `visibility_timeout` (300 s). Tasks may therefore run twice: those that email go
through the outbox (`alize.services.outbox`), which sends each message at most once.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alize.settings")

app = Celery("alize")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
