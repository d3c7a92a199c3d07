"""The daily run of the funders' reports, their building and sending: exactly once.

Tasks run in-process (CELERY_TASK_ALWAYS_EAGER): a retry happens at once, without waiting
for its backoff.
"""

import datetime
import email
import io
import threading
import time
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from alize.celery import app as celery_app
from alize.models import Delivery, DeliveryState, Role
from alize.services import outbox
from pilotage import reports, services, tasks
from pilotage.models import Frequency, Report, ReportStatus
from tests.conftest import make_user
from tests.pilotage.test_reports import make_programme

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2007, 4, 10)  # the first quarter of 2007 is the last complete one


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def eager_retries():
    """In-process tasks retry at once, as a worker would after the backoff; an error the
    task lets out is then the task's result, as on a worker, not an exception here."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = propagates


@pytest.fixture
def programme():
    return make_programme(smes=2)


@pytest.fixture
def today():
    with mock.patch("pilotage.reports.timezone.localdate", return_value=TODAY):
        yield TODAY


def run_daily(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return tasks.send_due_reports.delay().get()


def test_running_the_daily_task_twice_sends_each_due_report_once(
    programme, today, mailoutbox, django_capture_on_commit_callbacks
):
    assert run_daily(django_capture_on_commit_callbacks) == 1
    assert run_daily(django_capture_on_commit_callbacks) == 0

    # One message per recipient, each with its own Message-ID, the same on every attempt.
    assert [m.to for m in mailoutbox] == [["financeur@agglo.test"], ["dga@agglo.test"]]
    ids = [m.extra_headers["Message-ID"] for m in mailoutbox]
    assert len(set(ids)) == 2
    assert ids[0] == outbox.message_id(
        kind="rapport",
        key=Report.objects.get().pk,
        recipient="financeur@agglo.test",
        period="2007-01-01/2007-03-31",
    )
    message = mailoutbox[0]
    assert "1er trimestre 2007" in message.subject
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf"
    assert name.endswith(".pdf")
    assert "Rapport à CA Valenciennois" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    report = Report.objects.get()
    assert (report.period_start, report.period_end) == (D(2007, 1, 1), D(2007, 3, 31))
    assert report.status == ReportStatus.SENT
    assert report.sent_at and report.built_at
    assert report.recipients == ["financeur@agglo.test", "dga@agglo.test"]
    assert report.attempts == 1


def test_each_frequency_has_its_own_due_report(
    programme, today, mailoutbox, django_capture_on_commit_callbacks
):
    programme["subscription"].frequency = Frequency.MONTHLY
    programme["subscription"].save()
    run_daily(django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert (report.period_start, report.period_end) == (D(2007, 3, 1), D(2007, 3, 31))
    assert "mars 2007" in mailoutbox[0].subject


def test_inactive_subscriptions_receive_nothing(
    programme, today, mailoutbox, django_capture_on_commit_callbacks
):
    programme["subscription"].active = False
    programme["subscription"].save()
    assert run_daily(django_capture_on_commit_callbacks) == 0
    assert not mailoutbox
    assert not Report.objects.exists()


def test_a_failed_send_is_retried_and_sends_once_with_the_pdf_built_once(
    programme, today, mailoutbox, django_capture_on_commit_callbacks
):
    real_send = services.EmailMessage.send
    calls = []

    def flaky_send(message, *args, **kwargs):
        calls.append(message)
        if len(calls) == 1:
            raise ConnectionRefusedError("serveur de messagerie injoignable")
        return real_send(message, *args, **kwargs)

    build = mock.Mock(wraps=reports.build_funder_report_pdf)
    with (
        mock.patch.object(services.EmailMessage, "send", flaky_send),
        mock.patch.object(reports, "build_funder_report_pdf", build),
    ):
        run_daily(django_capture_on_commit_callbacks)

    assert build.call_count == 1
    # The first recipient's message refused, then both sent on the retry, once each.
    assert [c.to for c in calls] == [
        ["financeur@agglo.test"],
        ["financeur@agglo.test"],
        ["dga@agglo.test"],
    ]
    assert len(mailoutbox) == 2
    assert {d.state for d in Delivery.objects.all()} == {DeliveryState.HANDED_OFF}
    report = Report.objects.get()
    assert report.status == ReportStatus.SENT
    assert report.attempts == 2
    assert report.last_error == ""


def test_a_worker_dying_between_build_and_send_leaves_a_built_report_sent_once_on_retry(
    programme, today, mailoutbox, django_capture_on_commit_callbacks
):
    # The first worker builds the PDF, then dies before sending: its message is delivered
    # again (acks_late) to a second worker, which runs the same task on the same report.
    with (
        mock.patch.object(services, "send_report", side_effect=SystemExit("worker lost")),
        pytest.raises(SystemExit),
    ):
        run_daily(django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert report.status == ReportStatus.BUILT
    assert not mailoutbox
    first_pdf = report.pdf.name

    build = mock.Mock(wraps=reports.build_funder_report_pdf)
    with mock.patch.object(reports, "build_funder_report_pdf", build):
        tasks.build_and_send_report.delay(report.pk)
        # The message delivered twice, or the next day's run: nothing more goes out.
        tasks.build_and_send_report.delay(report.pk)
        run_daily(django_capture_on_commit_callbacks)

    assert build.call_count == 0
    assert len(mailoutbox) == 2
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT
    assert report.pdf.name == first_pdf


def test_a_send_failing_every_time_ends_failed_with_the_error(
    programme, today, mailoutbox, django_capture_on_commit_callbacks
):
    with mock.patch.object(
        services.EmailMessage, "send", side_effect=ConnectionRefusedError("serveur injoignable")
    ):
        run_daily(django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert report.status == ReportStatus.FAILED
    assert report.attempts == tasks.MAX_RETRIES + 1
    assert "serveur injoignable" in report.last_error
    assert report.pdf  # built once, kept for the next attempt
    assert not mailoutbox


@pytest.mark.parametrize(
    ("recipients", "message"),
    [([], "Aucun destinataire"), (["pas-une-adresse"], "Adresse électronique invalide")],
)
def test_a_funder_without_valid_recipients_fails_without_crashing(
    programme, today, mailoutbox, django_capture_on_commit_callbacks, recipients, message
):
    # Saved behind the form's back (the form refuses both).
    type(programme["subscription"]).objects.filter(pk=programme["subscription"].pk).update(
        recipients=recipients
    )
    run_daily(django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert report.status == ReportStatus.FAILED
    assert message in report.last_error
    assert report.attempts == 1
    assert not mailoutbox


def test_the_programme_report_goes_to_the_basin_steering_committee(
    programme, mailoutbox, django_capture_on_commit_callbacks
):
    steering = make_user(Role.STEERING, programme["basin"])
    make_user(Role.STAFF, programme["basin"])
    staff = make_user(Role.STAFF, programme["basin"])
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report_now(by=staff, period=programme["period"])
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT
    assert report.funder is None
    assert mailoutbox[0].to == [steering.email]
    assert "Rapport de programme" in mailoutbox[0].subject


# --- The management command -------------------------------------------------------------


def test_the_command_writes_eml_files_through_the_eml_backend(
    programme, today, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "alize.mail.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reports", stdout=out)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reports", stdout=out)

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    messages = [email.message_from_bytes(f.read_bytes()) for f in files]
    assert sorted(m["To"] for m in messages) == ["dga@agglo.test", "financeur@agglo.test"]
    message = messages[0]
    attachments = [part for part in message.walk() if part.get_filename()]
    assert attachments[0].get_content_type() == "application/pdf"
    output = out.getvalue()
    assert "1 rapport envoyé" in output
    assert "Aucun rapport à envoyer" in output


# --- Two workers at the same moment, on real transactions --------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_report_at_once_send_it_once(programme_committed, mailoutbox):
    report = programme_committed
    real_send = services.EmailMessage.send

    def slow_send(message, *args, **kwargs):
        # The first worker holds the row while its message goes out; the second arrives.
        time.sleep(0.5)
        return real_send(message, *args, **kwargs)

    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            barrier.wait(timeout=10)
            outcomes.append(services.send_report(report_id=report.pk))
        except Exception as exc:  # reported to the test, which then fails
            outcomes.append(repr(exc))
        finally:
            connection.close()

    with mock.patch.object(services.EmailMessage, "send", slow_send):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert sorted(outcomes, key=str) == [False, True]
    assert sorted(m.to[0] for m in mailoutbox) == ["dga@agglo.test", "financeur@agglo.test"]
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT
    assert report.attempts == 1


@pytest.fixture
def programme_committed(media):
    """A built report on committed rows, for tests that run real transactions."""
    programme = make_programme(smes=0)
    report = Report(
        funder=programme["funder"],
        basin=programme["basin"],
        period_start=D(2007, 1, 1),
        period_end=D(2007, 3, 31),
        status=ReportStatus.BUILT,
        built_at=timezone.now(),
    )
    report.pdf.save("rapport.pdf", ContentFile(b"%PDF-1.4 rapport"), save=False)
    report.save()
    return report
