"""A real Celery worker, on a real Redis broker, runs a real task of the app."""

import datetime
import email
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

from tests.workers import worker_database_url

BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture
def producer():
    """A client of the broker, separate from the app (which runs tasks in-process in tests)."""
    client = Celery("alize-test-producer", broker=BROKER_URL, backend=BROKER_URL)
    yield client
    client.close()


def _run_worker(tmp_path, **extra_env):
    queue = f"alize-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alize.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "worker-test-" + "s" * 50,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_RESULT_BACKEND": BROKER_URL,
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "EMAIL_HOST": "",
    }
    if "DATABASE_URL" not in os.environ:
        env["ALIZE_VAR_DIR"] = str(settings.VAR_DIR)
    env.update(extra_env)
    celery = Path(sys.executable).with_name("celery")
    process = subprocess.Popen(
        [str(celery), "-A", "alize", "worker", "--pool=solo", "-Q", queue, "--loglevel=info"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    yield queue, tmp_path / "mail"
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.worker
def test_a_real_worker_sends_an_email_through_the_broker(report_worker, producer):
    # The worker claims the message in the outbox first: it needs the test database.
    queue, mail_dir = report_worker
    result = producer.send_task(
        "alize.tasks.send_email",
        kwargs={
            "subject": "Convocation au comité d'agrément",
            "body": "Séance du 26/11/2026 à la CCI du Valenciennois.",
            "to": ["membre@alize.test"],
        },
        queue=queue,
    )
    # The worker may take a few seconds to start: the result waits for it.
    assert result.get(timeout=60) == 1
    deadline = time.monotonic() + 10
    files = []
    while not files and time.monotonic() < deadline:
        files = list(mail_dir.glob("*.eml"))
        time.sleep(0.1)
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "membre@alize.test"
    assert "comit" in str(email.header.make_header(email.header.decode_header(message["Subject"])))


@pytest.fixture
def report_worker(tmp_path, transactional_db):
    """A worker on the test database (rows committed by a transactional test), its files
    (PDFs, .eml messages) under tmp_path."""
    yield from _run_worker(
        tmp_path, DATABASE_URL=worker_database_url(), ALIZE_VAR_DIR=str(tmp_path / "var")
    )


@pytest.mark.worker
def test_a_real_worker_builds_and_sends_a_funder_report_once(report_worker, producer):
    from pilotage.models import Report, ReportStatus, ReportSubscription
    from tests.alize.factories import FunderFactory

    queue, mail_dir = report_worker
    funder = FunderFactory(name="CA de la Porte du Hainaut")
    ReportSubscription.objects.create(funder=funder, recipients=["financeur@agglo.test"])
    report = Report.objects.create(
        funder=funder,
        basin=funder.basin,
        period_start=datetime.date(2007, 1, 1),
        period_end=datetime.date(2007, 3, 31),
    )

    # The same message delivered twice (a retry, a redelivery): one report, one email.
    for _ in range(2):
        result = producer.send_task(
            "pilotage.tasks.build_and_send_report", args=[report.pk], queue=queue
        )
        assert result.get(timeout=90) == "envoye"
    files = list(mail_dir.glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "financeur@agglo.test"
    assert [part.get_content_type() for part in message.walk() if part.get_filename()] == [
        "application/pdf"
    ]
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT
    assert report.attempts == 1
