"""The antivirus on uploads, against a real clamd.

.ci/run starts clamd with the signature database of tests/clamav/ (the EICAR test file)
and names its socket in ALIZE_TEST_CLAMD_SOCKET. Elsewhere these tests are skipped unless
that variable is set; in CI (CI=true) a missing clamd fails them.
"""

import html
import os
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from alize import antivirus, tasks
from alize.antivirus import ScanStatus
from alize.models import Role
from alize.outbox import Delivery
from pme.models import Document, DocumentKind
from pme.services import attach_document
from tests.conftest import make_user
from tests.pme.factories import DossierFactory

pytestmark = pytest.mark.django_db

CLAMD_SOCKET = os.environ.get("ALIZE_TEST_CLAMD_SOCKET", "")

# The EICAR test file (built from its hex form, so that no scanner flags this module).
EICAR = bytes.fromhex(
    "58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e44"
    "4152442d414e544956495255532d544553542d46494c452124482b482a"
)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
INFECTED_PDF = PDF.replace(b"<<>>\nendobj", b"<< /Note (" + EICAR + b") >>\nendobj")


def clamd_answers(path: str) -> bool:
    if not path:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(5)
            client.connect(path)
            client.sendall(b"zPING\0")
            return client.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture
def clamd(settings):
    """The real clamd, for the test's uploads."""
    if not clamd_answers(CLAMD_SOCKET):
        reason = f"no clamd answers on ALIZE_TEST_CLAMD_SOCKET={CLAMD_SOCKET!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: .ci/run starts one, the antivirus tests need it")
        pytest.skip(f"{reason} (.ci/run starts one with tests/clamav/eicar.ndb)")
    settings.ANTIVIRUS = "clamd"
    settings.CLAMD_SOCKET = CLAMD_SOCKET
    settings.CLAMD_HOST = ""
    settings.CLAMD_TIMEOUT = 10
    return CLAMD_SOCKET


@pytest.fixture
def clamd_down(settings, tmp_path):
    """clamd switched on but unreachable: nothing listens on its socket."""
    settings.ANTIVIRUS = "clamd"
    settings.CLAMD_SOCKET = str(tmp_path / "nobody.sock")
    settings.CLAMD_HOST = ""
    settings.CLAMD_TIMEOUT = 2


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dossier(basin):
    return DossierFactory(pme__basin=basin, pme__name="Heuille Mécanique")


@pytest.fixture
def administrator(basin):
    user = make_user(Role.ADMIN, basin)
    user.email = "admin@alize.example"
    user.save()
    return user


def attach(dossier, staff, content, name="statuts.pdf"):
    return attach_document(
        dossier=dossier,
        by=staff,
        upload=SimpleUploadedFile(name, content),
        kind=DocumentKind.STATUTES,
    )


def download_url(document):
    return reverse(
        "pme:document_download", kwargs={"dossier_pk": document.dossier_id, "pk": document.pk}
    )


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_the_eicar_file_in_a_pdf_is_refused_by_clamd_and_reported_once(
    clamd, dossier, staff, administrator, media_root
):
    with pytest.raises(ValidationError) as refused:
        attach(dossier, staff, INFECTED_PDF)
    (message,) = refused.value.messages
    assert message.startswith("Ce fichier contient un virus ou un logiciel malveillant")
    assert "Alize.Test.EICAR" in message
    assert not Document.objects.exists()
    assert stored_files(media_root) == []
    (report,) = mail.outbox
    assert report.to == ["admin@alize.example"]
    assert "infecté" in report.subject and "Alize.Test.EICAR" in report.body

    # The same file again: refused again, the administrators already know.
    with pytest.raises(ValidationError):
        attach(dossier, staff, INFECTED_PDF)
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(key__startswith="antivirus-upload-").count() == 1


def test_the_upload_form_shows_the_refusal_in_french(clamd, client, dossier, staff):
    client.force_login(staff)
    response = client.post(
        reverse("pme:document_upload", kwargs={"dossier_pk": dossier.pk}),
        {
            "document-file": SimpleUploadedFile("statuts.pdf", INFECTED_PDF),
            "document-kind": DocumentKind.STATUTES,
            "document-title": "",
        },
        follow=True,
    )
    assert response.status_code in (200, 400)
    assert "contient un virus" in html.unescape(response.content.decode())
    assert not Document.objects.exists()


def test_a_clean_pdf_is_accepted_and_downloadable(clamd, client, dossier, staff):
    document = attach(dossier, staff, PDF)
    assert document.file_scan == ScanStatus.CLEAN
    client.force_login(staff)
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_a_pending_file_cannot_be_downloaded(clamd_down, client, dossier, staff):
    document = attach(dossier, staff, PDF)
    assert document.file_scan == ScanStatus.PENDING
    client.force_login(staff)
    response = client.get(download_url(document))
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    page = html.unescape(response.content.decode())
    assert "en cours d'analyse par l'antivirus" in page
    assert PDF.decode("latin-1") not in page


def test_with_clamd_down_files_stay_pending_then_the_rescan_marks_them_clean(
    settings, tmp_path, dossier, staff, client
):
    settings.ANTIVIRUS = "clamd"
    settings.CLAMD_SOCKET = str(tmp_path / "nobody.sock")
    settings.CLAMD_HOST = ""
    document = attach(dossier, staff, PDF)
    assert document.file_scan == ScanStatus.PENDING
    # Still down: the task leaves it pending.
    assert tasks.rescan_pending_files() == {ScanStatus.CLEAN: 0, ScanStatus.INFECTED: 0}
    document.refresh_from_db()
    assert document.file_scan == ScanStatus.PENDING

    if not clamd_answers(CLAMD_SOCKET):
        if os.environ.get("CI") == "true":
            pytest.fail("no clamd on ALIZE_TEST_CLAMD_SOCKET: .ci/run starts one")
        pytest.skip("no clamd on ALIZE_TEST_CLAMD_SOCKET for the second half")
    settings.CLAMD_SOCKET = CLAMD_SOCKET
    assert tasks.rescan_pending_files()[ScanStatus.CLEAN] == 1
    document.refresh_from_db()
    assert document.file_scan == ScanStatus.CLEAN
    client.force_login(staff)
    assert client.get(download_url(document)).status_code == 200


def test_an_infected_pending_file_is_marked_infected_and_reported_once(
    clamd, dossier, staff, administrator
):
    document = attach(dossier, staff, PDF)
    # As if the file had been stored while clamd was down, and was infected.
    with document.file.open("wb") as handle:
        handle.write(INFECTED_PDF)
    Document.objects.filter(pk=document.pk).update(file_scan=ScanStatus.PENDING)

    assert tasks.rescan_pending_files()[ScanStatus.INFECTED] == 1
    document.refresh_from_db()
    assert document.file_scan == ScanStatus.INFECTED
    assert len(mail.outbox) == 1 and "Alize.Test.EICAR" in mail.outbox[0].body
    # Nothing pending any more: nothing scanned, nothing reported again.
    assert tasks.rescan_pending_files() == {ScanStatus.CLEAN: 0, ScanStatus.INFECTED: 0}
    assert len(mail.outbox) == 1


def test_every_uploaded_file_field_is_registered():
    registered = {(s.model._meta.label, s.file_field) for s in antivirus.SCANNED_FIELDS}
    assert registered == {
        ("pme.Document", "file"),
        ("pme.Hire", "evidence"),
        ("avances.DeMinimisDeclaration", "signed_declaration"),
    }


def test_a_pending_hire_evidence_is_not_handed_out(clamd_down, client, staff, basin):
    from pme.models import Hire
    from tests.pme.factories import HireFactory

    hire = HireFactory(
        dossier=DossierFactory(pme__basin=basin, approved=True),
        evidence=SimpleUploadedFile("contrat.pdf", PDF),
        evidence_scan=ScanStatus.PENDING,
        hire_date=timezone.localdate() - timedelta(days=1),
    )
    assert Hire.objects.get(pk=hire.pk).evidence_scan == ScanStatus.PENDING
    client.force_login(staff)
    response = client.get(reverse("pme:hire_evidence", args=[hire.pk]))
    assert response.status_code == 409
    assert "en cours d'analyse" in html.unescape(response.content.decode())


def test_check_deploy_refuses_the_antivirus_off(settings):
    settings.ANTIVIRUS = "off"
    (error,) = antivirus.check_antivirus_on()
    assert error.id == "alize.E020"
    settings.ANTIVIRUS = "clamd"
    assert antivirus.check_antivirus_on() == []


def test_a_pending_document_says_so_on_the_dossier_page(clamd_down, client, dossier, staff):
    attach(dossier, staff, PDF)
    client.force_login(staff)
    page = client.get(reverse("pme:dossier_detail", kwargs={"pk": dossier.pk})).content.decode()
    assert "analyse antivirus en attente" in page


def test_an_infected_signed_declaration_is_refused_and_a_pending_one_not_handed_out(
    clamd, settings, tmp_path, client, dossier, staff, media_root
):
    from avances.models import DeMinimisDeclaration
    from avances.services.deminimis import record_de_minimis_declaration

    def record(content):
        return record_de_minimis_declaration(
            pme=dossier.pme,
            declared_on=timezone.localdate(),
            signatory="Marc Heuille",
            aids=[],
            signed_declaration=SimpleUploadedFile("declaration.pdf", content),
            by=staff,
        )

    with pytest.raises(ValidationError) as refused:
        record(INFECTED_PDF)
    assert "contient un virus" in refused.value.message_dict["signed_declaration"][0]
    assert not DeMinimisDeclaration.objects.exists()
    assert stored_files(media_root) == []

    settings.CLAMD_SOCKET = str(tmp_path / "nobody.sock")
    declaration = record(PDF)
    assert declaration.signed_declaration_scan == ScanStatus.PENDING
    client.force_login(staff)
    response = client.get(reverse("avances:deminimis_signed", args=[declaration.pk]))
    assert response.status_code == 409
    assert "en cours d'analyse" in html.unescape(response.content.decode())
