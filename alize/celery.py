"""The Celery application. With CELERY_BROKER_URL unset, tasks run in-process (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alize.settings")

app = Celery("alize")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
