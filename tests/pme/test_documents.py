"""Documents attached to dossiers: what is accepted, where it goes, who gets it back."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.db.models.sql.compiler import SQLInsertCompiler
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pghistory.models import Events

from alize import settings as project_settings
from alize.history import history_for
from alize.models import Role
from pme.models import Document, DocumentKind
from pme.services import attach_document, delete_document
from pme.validators import (
    DOCUMENT_TYPE_MESSAGE,
    MACRO_MESSAGE,
    UPLOAD_MAX_BYTES,
    detect_file_type,
    validate_document_file,
    validate_evidence_file,
)
from tests.conftest import make_user
from tests.pme.factories import DossierFactory

pytestmark = pytest.mark.django_db

# --- Files, built in memory ------------------------------------------------------------------

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 60


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            # OpenDocument wants its "mimetype" first and uncompressed.
            kind = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


def ole2_of(*entries: tuple[str, int]) -> bytes:
    """A compound file (legacy Office) holding these directory entries (name, object type)."""
    header = bytearray(512)
    header[:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    header[30:32] = (9).to_bytes(2, "little")  # 512-byte sectors
    directory = bytearray()
    records = (("Root Entry", 5), *entries)
    for index, (name, object_type) in enumerate(records):
        record = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        record[: len(encoded)] = encoded
        record[64:66] = len(encoded).to_bytes(2, "little")
        record[66] = object_type
        # The directory tree: the root's child is the first entry, each entry's right
        # sibling the next one (no stream: 0xFFFFFFFF).
        last = index in (0, len(records) - 1)
        record[68:76] = b"\xff" * 4 + (b"\xff" * 4 if last else (index + 1).to_bytes(4, "little"))
        record[76:80] = (1).to_bytes(4, "little") if index == 0 and entries else b"\xff" * 4
        directory += record
    directory += bytes(512 - len(directory) % 512)
    return bytes(header) + bytes(directory) + b"\x00" * 512


def xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Plan de financement"
    workbook.save(buffer)
    return buffer.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types/>'
DOCX = zip_of({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"})
PPTX = zip_of({"[Content_Types].xml": CONTENT_TYPES, "ppt/presentation.xml": b"<p/>"})
DOCM = zip_of(
    {
        "[Content_Types].xml": CONTENT_TYPES,
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\x00" * 16,
    }
)
ODT = zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
ODS = zip_of(
    {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
)
PLAIN_ZIP = zip_of({"lisez-moi.txt": b"rien"})
DOC = ole2_of(("WordDocument", 2), ("1Table", 2))
XLS = ole2_of(("Workbook", 2))
DOC_WITH_MACROS = ole2_of(("WordDocument", 2), ("Macros", 1))
OLE2_UNKNOWN = ole2_of(("Contents", 2))


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dossier(basin):
    return DossierFactory(pme__basin=basin, pme__name="Heuille Mécanique")


# --- What a file is, read from its content -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("statuts.pdf", PDF, "application/pdf"),
        ("PLAN.PDF", PDF, "application/pdf"),
        ("kbis.png", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        (
            "devis.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("plan.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "presentation.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("note.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("budget.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
        ("ancien.doc", DOC, "application/msword"),
        ("ancien.xls", XLS, "application/vnd.ms-excel"),
    ],
)
def test_accepted_files_and_the_type_read_from_their_content(name, content, content_type):
    file = upload(name, content)
    assert validate_document_file(file).content_type == content_type
    # Reading the content leaves the file where it was, ready to be stored.
    assert file.tell() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("statuts.pdf", EXE),
        ("programme.exe", EXE),
        ("notes.txt", b"Bonjour"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("archive.docx", PLAIN_ZIP),
        ("ancien.doc", OLE2_UNKNOWN),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
    ],
)
def test_content_that_is_no_allowed_document_is_refused(name, content):
    with pytest.raises(ValidationError) as excinfo:
        validate_document_file(upload(name, content))
    assert excinfo.value.messages == [DOCUMENT_TYPE_MESSAGE]
    assert DOCUMENT_TYPE_MESSAGE == (
        "Le contenu du fichier ne correspond pas à un document autorisé (PDF, image, bureautique)."
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("kbis.pdf", PNG, "ce fichier est une image PNG, son nom doit se terminer par .png."),
        ("plan.xlsx", DOCX, "ce fichier est un document Word, son nom doit se terminer par .docx."),
        ("statuts", PDF, "ce fichier est un document PDF, son nom doit se terminer par .pdf."),
        ("photo.png", JPEG, "son nom doit se terminer par .jpg ou .jpeg."),
    ],
)
def test_a_name_that_disagrees_with_the_content_is_refused(name, content, expected):
    with pytest.raises(ValidationError) as excinfo:
        validate_document_file(upload(name, content))
    (message,) = excinfo.value.messages
    assert message.startswith("Le nom du fichier ne correspond pas à son contenu")
    assert message.endswith(expected)


@pytest.mark.parametrize(
    ("name", "content"),
    [("devis.docx", DOCM), ("devis.docm", DOCM), ("ancien.doc", DOC_WITH_MACROS)],
)
def test_office_files_with_macros_are_refused(name, content):
    with pytest.raises(ValidationError) as excinfo:
        validate_document_file(upload(name, content))
    assert excinfo.value.messages == [MACRO_MESSAGE]


def test_a_file_of_10_mo_passes_and_one_byte_more_is_refused():
    validate_document_file(upload("bilan.pdf", PDF + b"0" * (UPLOAD_MAX_BYTES - len(PDF))))
    with pytest.raises(ValidationError) as excinfo:
        validate_document_file(upload("bilan.pdf", PDF + b"0" * (UPLOAD_MAX_BYTES + 1 - len(PDF))))
    assert excinfo.value.messages == ["Le fichier dépasse la taille maximale de 10 Mo."]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_document_file(upload("vide.pdf", b""))
    assert excinfo.value.messages == ["Le fichier est vide."]


def test_text_naming_an_office_stream_does_not_make_a_word_document():
    # "WordDocument" in UTF-16 somewhere in the file, but not as a directory entry.
    content = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600 + "WordDocument".encode("utf-16-le")
    assert detect_file_type(io.BytesIO(content)) is None


def test_hire_evidence_still_takes_only_pdf_and_images():
    validate_evidence_file(upload("contrat.pdf", PDF))
    with pytest.raises(ValidationError) as excinfo:
        validate_evidence_file(upload("contrat.docx", DOCX))
    assert "PDF ou une image JPEG ou PNG" in excinfo.value.messages[0]


# --- attach_document -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [("Statuts de la SARL Heuille.pdf", PDF), ("Kbis.png", PNG), ("Devis machine.docx", DOCX)],
)
def test_attach_stores_the_file_under_a_generated_name(dossier, staff, media_root, name, content):
    document = attach_document(
        dossier=dossier, by=staff, upload=upload(name, content), kind=DocumentKind.STATUTES
    )

    document.refresh_from_db()
    stored = Path(document.file.path)
    assert document.file.name.startswith("pme/documents/")
    stem = Path(document.file.name).stem
    assert len(stem) == 32 and all(c in "0123456789abcdef" for c in stem)
    assert Path(name).stem not in document.file.name
    assert stored.read_bytes() == content
    assert stored.is_relative_to(media_root)
    assert stored_files(media_root) == [stored]
    assert document.original_name == name
    assert document.title == Path(name).stem
    assert document.size == len(content)
    assert document.uploaded_by == staff
    assert document.dossier == dossier


def test_the_storage_is_outside_every_served_folder():
    # The project's own settings, not the temporary folder the tests store into.
    media = Path(project_settings.MEDIA_ROOT).resolve()
    assert media.is_relative_to(Path(project_settings.VAR_DIR).resolve())
    served = [
        Path(project_settings.STATIC_ROOT),
        *(Path(d[1] if isinstance(d, tuple) else d) for d in project_settings.STATICFILES_DIRS),
    ]
    for folder in served:
        assert not media.is_relative_to(folder.resolve())
        assert not folder.resolve().is_relative_to(media)


def test_the_media_url_serves_nothing(staff_client, dossier, staff, settings):
    document = attach_document(dossier=dossier, by=staff, upload=upload("statuts.pdf", PDF))
    response = staff_client.get(f"{settings.MEDIA_URL}{document.file.name}")
    assert response.status_code == 404
    response = staff_client.get(f"/media/{document.file.name}")
    assert response.status_code == 404


def test_a_title_given_is_kept_and_the_original_name_loses_any_folder(dossier, staff):
    document = attach_document(
        dossier=dossier,
        by=staff,
        upload=upload("C:\\Users\\gerant\\Bilan 2006.pdf", PDF),
        kind=DocumentKind.ACCOUNTS,
        title="  Bilan 2006 certifié  ",
    )
    assert document.title == "Bilan 2006 certifié"
    assert document.original_name == "Bilan 2006.pdf"
    assert document.kind == DocumentKind.ACCOUNTS


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("statuts.pdf", EXE, DOCUMENT_TYPE_MESSAGE),
        ("kbis.pdf", PNG, "Le nom du fichier ne correspond pas à son contenu"),
        (
            "gros.pdf",
            PDF + b"0" * (UPLOAD_MAX_BYTES + 1 - len(PDF)),
            "Le fichier dépasse la taille maximale de 10 Mo.",
        ),
    ],
)
def test_a_refused_file_leaves_no_row_and_no_file(
    dossier, staff, media_root, name, content, message
):
    with pytest.raises(ValidationError) as excinfo:
        attach_document(dossier=dossier, by=staff, upload=upload(name, content))
    assert excinfo.value.messages[0].startswith(message)
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_other_bad_fields_leave_no_file_either(dossier, staff, media_root):
    with pytest.raises(ValidationError) as excinfo:
        attach_document(
            dossier=dossier, by=staff, upload=upload("statuts.pdf", PDF), kind="testament"
        )
    assert "kind" in excinfo.value.message_dict
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_when_the_database_refuses_the_row_the_stored_file_is_removed(
    dossier, staff, media_root, monkeypatch
):
    compile_insert = SQLInsertCompiler.as_sql
    stored_before_failure = []

    def failing_insert(compiler, *args, **kwargs):
        sql = compile_insert(compiler, *args, **kwargs)  # the file is written by now
        if compiler.query.model is Document:
            stored_before_failure.extend(stored_files(media_root))
            raise DatabaseError("panne simulée")
        return sql

    monkeypatch.setattr(SQLInsertCompiler, "as_sql", failing_insert)
    with pytest.raises(DatabaseError):
        attach_document(dossier=dossier, by=staff, upload=upload("statuts.pdf", PDF))

    assert len(stored_before_failure) == 1  # the test did reach the half-saved moment
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("role", [Role.FUNDER, Role.STEERING, Role.COMMITTEE_MEMBER, Role.ADMIN])
def test_only_operator_staff_attach_documents(dossier, basin, media_root, role):
    user = make_user(role, basin)
    with pytest.raises(PermissionDenied):
        attach_document(dossier=dossier, by=user, upload=upload("statuts.pdf", PDF))
    assert stored_files(media_root) == []


def test_staff_of_another_basin_attach_nothing(dossier, other_basin, media_root):
    with pytest.raises(PermissionDenied):
        attach_document(
            dossier=dossier,
            by=make_user(Role.STAFF, other_basin),
            upload=upload("statuts.pdf", PDF),
        )
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


# --- delete_document and the audit trail ------------------------------------------------------


def test_the_trail_records_who_attached_and_who_deleted(
    dossier, staff, manager, media_root, django_capture_on_commit_callbacks
):
    document = attach_document(dossier=dossier, by=staff, upload=upload("statuts.pdf", PDF))
    pk, path = document.pk, Path(document.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        delete_document(document=document, by=manager)

    assert not Document.objects.filter(pk=pk).exists()
    assert not path.exists()
    trail = list(Events.objects.tracks(Document(pk=pk)).order_by("pgh_created_at", "pgh_id"))
    assert [event.pgh_label for event in trail] == ["insert", "delete"]
    assert [event.pgh_context["user"] for event in trail] == [staff.pk, manager.pk]
    # The trail keeps what the document was, original name included.
    assert trail[1].pgh_data["original_name"] == "statuts.pdf"
    entries = history_for(Document(pk=pk))
    assert [(entry.action, entry.who) for entry in entries] == [
        ("Suppression", str(manager)),
        ("Création", str(staff)),
    ]


def test_the_file_stays_until_the_deletion_commits(dossier, staff, media_root):
    document = attach_document(dossier=dossier, by=staff, upload=upload("statuts.pdf", PDF))
    path = Path(document.file.path)
    delete_document(document=document, by=staff)
    # The test transaction never commits: the file must still be there.
    assert path.exists()


@pytest.mark.parametrize("role", [Role.FUNDER, Role.STEERING, Role.ADMIN])
def test_only_operator_staff_delete(dossier, staff, basin, role):
    document = attach_document(dossier=dossier, by=staff, upload=upload("statuts.pdf", PDF))
    with pytest.raises(PermissionDenied):
        delete_document(document=document, by=make_user(role, basin))
    assert Document.objects.filter(pk=document.pk).exists()


def test_deleting_twice_is_refused_with_a_message(dossier, staff):
    document = attach_document(dossier=dossier, by=staff, upload=upload("statuts.pdf", PDF))
    delete_document(document=document, by=staff)
    with pytest.raises(ValidationError) as excinfo:
        delete_document(document=document, by=staff)
    assert excinfo.value.messages == ["Ce document a déjà été supprimé."]


# --- Views -----------------------------------------------------------------------------------


def upload_url(dossier):
    return reverse("pme:document_upload", kwargs={"dossier_pk": dossier.pk})


def download_url(document):
    return reverse(
        "pme:document_download", kwargs={"dossier_pk": document.dossier_id, "pk": document.pk}
    )


def delete_url(document):
    return reverse(
        "pme:document_delete", kwargs={"dossier_pk": document.dossier_id, "pk": document.pk}
    )


def dossier_page(dossier):
    return reverse("pme:dossier_detail", kwargs={"pk": dossier.pk}) + "#documents"


def form_data(name="statuts.pdf", content=PDF, kind=DocumentKind.STATUTES, title=""):
    return {
        "document-file": upload(name, content),
        "document-kind": kind,
        "document-title": title,
    }


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_upload_with_htmx_answers_the_documents_block(staff_client, dossier):
    response = staff_client.post(upload_url(dossier), form_data(title="Statuts à jour"), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="documents"' in html
    assert "Le document « Statuts à jour » est ajouté au dossier." in html
    document = Document.objects.get()
    assert download_url(document) in html
    assert "<html" not in html  # a fragment, not a page


def test_upload_without_javascript_redirects_to_the_dossier(staff_client, dossier):
    response = staff_client.post(upload_url(dossier), form_data())

    assert response.status_code == 302
    assert response.url == dossier_page(dossier)
    assert Document.objects.count() == 1
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Le document « statuts » est ajouté au dossier."
    ]


def test_a_bad_upload_with_htmx_shows_the_french_error_in_the_block(
    staff_client, dossier, media_root
):
    response = staff_client.post(upload_url(dossier), form_data(content=EXE), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Le contenu du fichier ne correspond pas à un document autorisé" in html
    assert "is-invalid" in html
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_a_bad_upload_without_javascript_redirects_with_the_message(
    staff_client, dossier, media_root
):
    too_big = PDF + b"0" * (UPLOAD_MAX_BYTES + 1 - len(PDF))
    response = staff_client.post(upload_url(dossier), form_data(content=too_big))

    assert response.status_code == 302
    assert response.url == dossier_page(dossier)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Le document n'a pas été ajouté : Le fichier dépasse la taille maximale de 10 Mo."
    ]
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_an_upload_without_a_file_is_a_french_error_not_a_500(staff_client, dossier):
    response = staff_client.post(
        upload_url(dossier), {"document-kind": "statuts", "document-title": "x"}, **HTMX
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()


@pytest.fixture
def document(dossier, staff):
    return attach_document(
        dossier=dossier,
        by=staff,
        upload=upload("Statuts signés – Heuille.pdf", PDF),
        kind=DocumentKind.STATUTES,
    )


def test_download_hands_the_file_over_as_an_attachment(staff_client, document):
    response = staff_client.get(download_url(document))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # A non-ASCII name travels encoded (RFC 5987).
    assert "filename*=utf-8''Statuts%20sign%C3%A9s%20%E2%80%93%20Heuille.pdf" in disposition
    assert "no-store" in response["Cache-Control"]


def actor(role, basin):
    return make_user(role, basin) if role else None


@pytest.mark.parametrize(
    ("role", "same_basin", "expected"),
    [
        (Role.STAFF, True, 200),
        (Role.MANAGER, True, 200),
        (Role.ADMIN, False, 200),
        (Role.STAFF, False, 404),
        (Role.MANAGER, False, 404),
        (Role.FUNDER, True, 404),
        (Role.STEERING, True, 404),
        (Role.COMMITTEE_MEMBER, True, 404),
    ],
)
def test_who_may_download(client, document, basin, other_basin, role, same_basin, expected):
    client.force_login(make_user(role, basin if same_basin else other_basin))
    response = client.get(download_url(document))
    assert response.status_code == expected


def test_anonymous_visitors_are_sent_to_the_login_page(client, document):
    for url in (download_url(document), upload_url(document.dossier), delete_url(document)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")


def test_a_document_is_reached_only_through_its_own_dossier(staff_client, document, basin):
    other_dossier = DossierFactory(pme__basin=basin)
    url = reverse(
        "pme:document_download", kwargs={"dossier_pk": other_dossier.pk, "pk": document.pk}
    )
    assert staff_client.get(url).status_code == 404


def test_a_missing_file_is_a_404_not_a_500(staff_client, document):
    Path(document.file.path).unlink()
    assert staff_client.get(download_url(document)).status_code == 404


@pytest.mark.parametrize(
    ("role", "same_basin", "expected"),
    [
        (Role.STAFF, True, 405),
        (Role.MANAGER, True, 405),
        (Role.ADMIN, False, 403),
        (Role.STAFF, False, 404),
        (Role.FUNDER, True, 404),
        (Role.STEERING, True, 404),
        (Role.COMMITTEE_MEMBER, True, 404),
    ],
)
def test_the_writing_urls_refuse_a_get(
    client, document, basin, other_basin, role, same_basin, expected
):
    client.force_login(make_user(role, basin if same_basin else other_basin))
    assert client.get(upload_url(document.dossier)).status_code == expected
    assert client.get(delete_url(document)).status_code == expected


@pytest.mark.parametrize(
    ("role", "same_basin", "expected"),
    [
        (Role.ADMIN, False, 403),
        (Role.STAFF, False, 404),
        (Role.MANAGER, False, 404),
        (Role.FUNDER, True, 404),
        (Role.STEERING, True, 404),
    ],
)
def test_a_refused_post_writes_nothing(
    client, document, basin, other_basin, media_root, role, same_basin, expected
):
    client.force_login(make_user(role, basin if same_basin else other_basin))
    files_before = stored_files(media_root)
    events_before = Events.objects.count()

    assert client.post(upload_url(document.dossier), form_data()).status_code == expected
    assert client.post(delete_url(document)).status_code == expected

    assert list(Document.objects.all()) == [document]
    assert stored_files(media_root) == files_before
    assert Events.objects.count() == events_before


def test_delete_with_htmx_answers_the_block(manager_client, document):
    response = manager_client.post(delete_url(document), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Le document « {document.title} » est supprimé." in html
    assert "Aucun document n'est joint à ce dossier." in html
    assert not Document.objects.exists()


def test_delete_without_javascript_redirects_with_a_message(staff_client, document):
    response = staff_client.post(delete_url(document))
    assert response.status_code == 302
    assert response.url == dossier_page(document.dossier)
    assert not Document.objects.exists()


# --- The documents block ---------------------------------------------------------------------


def render_block(user, dossier) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("pme/partials/_documents.html", {"dossier": dossier}, request=request)


def test_staff_see_the_documents_the_form_and_the_delete_buttons(staff, document):
    html = render_block(staff, document.dossier)
    assert download_url(document) in html
    assert upload_url(document.dossier) in html
    assert delete_url(document) in html
    assert 'enctype="multipart/form-data"' in html


def test_an_administrator_sees_the_documents_but_no_action(document):
    html = render_block(make_user(Role.ADMIN), document.dossier)
    assert download_url(document) in html
    assert upload_url(document.dossier) not in html
    assert delete_url(document) not in html


@pytest.mark.parametrize("role", [Role.FUNDER, Role.STEERING, Role.COMMITTEE_MEMBER])
def test_other_roles_see_no_documents_block(document, basin, role):
    html = render_block(make_user(role, basin), document.dossier)
    assert html.strip() == ""


def test_the_block_escapes_what_users_typed(dossier, staff):
    attach_document(
        dossier=dossier,
        by=staff,
        upload=upload("<img src=x onerror=alert(1)>.pdf", PDF),
        title="<script>alert(1)</script>",
    )
    html = render_block(staff, dossier)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_the_block_reads_the_same_number_of_queries_for_1_or_10_documents(dossier, staff):
    def queries_to_render() -> int:
        # A fresh user each time: roles and basins are cached on the user object.
        user = type(staff).objects.get(pk=staff.pk)
        with CaptureQueriesContext(connection) as queries:
            render_block(user, dossier)
        return len(queries)

    attach_document(dossier=dossier, by=staff, upload=upload("statuts.pdf", PDF))
    with_one = queries_to_render()
    for n in range(9):
        attach_document(dossier=dossier, by=staff, upload=upload(f"devis-{n}.pdf", PDF))
    # The user's roles, the user's basins, the documents with who uploaded them.
    assert with_one == queries_to_render() == 3
