"""A real Celery worker, on a real Redis broker, runs a real task of the app."""

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

BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture
def producer():
    """A client of the broker, separate from the app (which runs tasks in-process in tests)."""
    client = Celery("alize-test-producer", broker=BROKER_URL, backend=BROKER_URL)
    yield client
    client.close()


@pytest.fixture
def worker(tmp_path):
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
def test_a_real_worker_sends_an_email_through_the_broker(worker, producer):
    queue, mail_dir = worker
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
