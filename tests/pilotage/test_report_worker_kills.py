"""At most once, never lost: a real Celery worker on Redis sends funder reports to a real
SMTP server (aiosmtpd, in this process) and is killed (SIGKILL, the whole worker) at each
stage of a send; after each death the worker is restarted.

Each report has its own kill point (settings.ALIZE_KILL_POINTS, read by
`alize.services.outbox.kill_point`), each fired once. Expected afterwards: no recipient got
a report twice; every report whose message had not reached the server was sent after a
restart; the one killed right after the server took its first message (before that was
recorded) is « envoi à vérifier », its second recipient served, nothing resent.
"""

import datetime
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.utils import timezone

from alize.models import Delivery, DeliveryState
from pilotage.models import Report, ReportStatus, ReportSubscription
from tests.alize.factories import FunderFactory
from tests.workers import worker_database_url

BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"
RECIPIENTS = ["financeur@agglo.test", "dga@agglo.test"]
# The stages of a report's send, in order, each the kill point of one report.
STAGES = ("building", "claimed", "handed_off", "recorded")
DEADLINE = 240  # seconds at most (a loaded machine); about 40 s on an idle one


class Collector:
    """The SMTP server's side: every message it accepted, with its envelope."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append((tuple(envelope.rcpt_tos), message["Message-ID"], message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    collector = Collector()
    with socket.socket() as probe:  # a free port (aiosmtpd checks it can connect to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield collector, controller.port
    controller.stop()


class Worker:
    """A real worker (`celery worker --pool=solo`): killed, it is restarted by `restart`."""

    def __init__(self, queue: str, env: dict, log: Path):
        self.queue, self.env, self.log = queue, env, log
        self.process = None
        self.starts = 0

    def start(self):
        celery = Path(sys.executable).with_name("celery")
        self.starts += 1
        with self.log.open("a") as log:
            log.write(f"\n--- start {self.starts} ---\n")
        self.process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "alize",
                "worker",
                "--pool=solo",
                "-Q",
                self.queue,
                "--loglevel=info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=django_settings.BASE_DIR,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def killed(self) -> bool:
        return self.process.poll() == -signal.SIGKILL

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.mark.worker
def test_a_worker_killed_at_each_stage_sends_each_report_at_most_once_and_none_is_lost(
    transactional_db, smtp_server, tmp_path, settings
):
    collector, port = smtp_server
    settings.MEDIA_ROOT = tmp_path / "var" / "media"  # the worker's, for the built PDFs
    reports = {}
    for stage in STAGES:
        funder = FunderFactory(name=f"Financeur tué à l'étape {stage}")
        ReportSubscription.objects.create(funder=funder, recipients=RECIPIENTS)
        report = Report(
            funder=funder,
            basin=funder.basin,
            period_start=datetime.date(2007, 1, 1),
            period_end=datetime.date(2007, 3, 31),
        )
        if stage != "building":
            # Built already (a PDF takes seconds on a busy machine): the send is on trial.
            report.status, report.built_at = ReportStatus.BUILT, timezone.now()
            report.pdf.save("rapport.pdf", ContentFile(b"%PDF-1.4 rapport"), save=False)
        report.save()
        reports[stage] = report
    (tmp_path / "marks").mkdir()
    queue = f"alize-test-kills-{uuid.uuid4().hex[:8]}"
    worker = Worker(
        queue,
        {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "alize.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "worker-test-" + "s" * 50,
            "DJANGO_ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": worker_database_url(),
            "ALIZE_VAR_DIR": str(tmp_path / "var"),
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_RESULT_BACKEND": BROKER_URL,
            # A task lost with its worker is handed out again 2 s later (300 s in production).
            "CELERY_VISIBILITY_TIMEOUT": "2",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_USE_TLS": "false",
            "ALIZE_KILL_POINTS": ",".join(
                f"rapport-{report.pk}@{stage}" for stage, report in reports.items()
            ),
            "ALIZE_KILL_MARKS": str(tmp_path / "marks"),
        },
        tmp_path / "worker.log",
    )
    producer = Celery("alize-test-producer", broker=BROKER_URL)
    started = time.monotonic()
    try:
        for report in reports.values():
            producer.send_task(
                "pilotage.tasks.build_and_send_report", args=[report.pk], queue=queue
            )
        worker.start()
        deaths = 0
        finished = {ReportStatus.SENT, ReportStatus.TO_VERIFY}
        while time.monotonic() - started < DEADLINE:
            if worker.killed():
                deaths += 1
                worker.start()  # the restart: the dead worker's task comes back to it
            statuses = set(
                Report.objects.filter(pk__in=[r.pk for r in reports.values()]).values_list(
                    "status", flat=True
                )
            )
            if statuses <= finished and deaths == len(STAGES):
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        worker.stop()
        producer.close()
    log = (tmp_path / "worker.log").read_text(errors="replace")

    # Each kill point was reached once, and killed the worker.
    marks = sorted(path.name for path in (tmp_path / "marks").iterdir())
    assert marks == sorted(f"rapport-{r.pk}@{stage}" for stage, r in reports.items()), log[-4000:]
    assert deaths == len(STAGES), log[-4000:]

    # At most one message per recipient and period reached the SMTP server.
    received = Counter(
        (rcpt, message_id) for rcpts, message_id, _ in collector.messages for rcpt in rcpts
    )
    assert all(count == 1 for count in received.values()), received
    assert all(len(rcpts) == 1 for rcpts, _, _ in collector.messages)
    by_report = Counter()
    for delivery in Delivery.objects.filter(kind="rapport"):
        by_report[int(delivery.key)] += received[(delivery.recipient, delivery.message_id)]

    states = {stage: Report.objects.get(pk=report.pk).status for stage, report in reports.items()}
    # Killed before any message reached the server (building, after the claim), or after
    # the first one was recorded: sent after the restart, to each recipient once.
    for stage in ("building", "claimed", "recorded"):
        assert states[stage] == ReportStatus.SENT, (stage, log[-4000:])
        assert by_report[reports[stage].pk] == 2, stage
    # Killed after the server took the first message, before it was recorded: that one is
    # never resent on its own (« envoi à vérifier »); the second recipient is served.
    interrupted = reports["handed_off"]
    assert states["handed_off"] == ReportStatus.TO_VERIFY
    assert by_report[interrupted.pk] == 2
    assert sorted(
        Delivery.objects.filter(kind="rapport", key=str(interrupted.pk)).values_list(
            "recipient", "state"
        )
    ) == [("dga@agglo.test", DeliveryState.HANDED_OFF), ("financeur@agglo.test", "a_verifier")]
    assert len(collector.messages) == 2 * len(STAGES)
    print(
        f"\n{len(STAGES)} kill points, {deaths} worker deaths, {worker.starts} starts, "
        f"{len(collector.messages)} messages received, {elapsed:.1f} s"
    )
