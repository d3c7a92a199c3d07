"""Validators of the SME registry: SIREN, SIRET, NAF code, uploaded files.

SIREN and SIRET are checked with python-stdnum, which knows La Poste's exception: its
establishments share the SIREN 356 000 000 and their SIRET is checked by the sum of its
digits rather than by the Luhn key.
"""

import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import olefile
from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from pme.naf import NAF_CODE_PATTERN, NAF_DIVISIONS, division_of

_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]")


def compact_number(value):
    """Drop the spaces, dots and dashes people type inside a SIREN or SIRET."""
    if not isinstance(value, str):
        return value
    return _SEPARATORS.sub("", value)


def _digits(value, count: int, name: str) -> str:
    value = compact_number(value)
    if not (isinstance(value, str) and value.isdigit() and len(value) == count):
        raise ValidationError(
            f"Le {name} doit compter {count} chiffres.", code=f"{name.lower()}_format"
        )
    return value


def _check_key(validate, value: str, message: str, code: str) -> None:
    try:
        validate(value)
    except InvalidChecksum as exc:
        raise ValidationError(message, code=code) from exc


def validate_siren(value: str) -> None:
    value = _digits(value, 9, "SIREN")
    _check_key(
        stdnum_siren.validate,
        value,
        "Ce SIREN n'existe pas : sa clé de contrôle est fausse. Vérifiez la saisie.",
        "siren_checksum",
    )


def validate_siret(value: str) -> None:
    value = _digits(value, 14, "SIRET")
    _check_key(
        stdnum_siren.validate,
        value[:9],
        "Les 9 premiers chiffres de ce SIRET ne forment pas un SIREN valide. Vérifiez la saisie.",
        "siret_siren_checksum",
    )
    _check_key(
        stdnum_siret.validate,
        value,
        "Ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez la saisie.",
        "siret_checksum",
    )


def validate_naf_code(value: str) -> None:
    if not (isinstance(value, str) and re.match(NAF_CODE_PATTERN, value)):
        raise ValidationError(
            "Le code NAF/APE s'écrit comme 25.62B : deux chiffres, un point, deux chiffres "
            "et une lettre.",
            code="naf_format",
        )
    if division_of(value) not in NAF_DIVISIONS:
        raise ValidationError(
            "La division %(division)s n'existe pas dans la nomenclature NAF.",
            code="naf_division",
            params={"division": value[:2]},
        )


# --- Uploaded files: hire evidence and dossier documents ----------------------------------

UPLOAD_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_BYTES = UPLOAD_MAX_BYTES
TOO_LARGE_MESSAGE = "Le fichier dépasse la taille maximale de 10 Mo."
EMPTY_FILE_MESSAGE = "Le fichier est vide."
EVIDENCE_TYPE_MESSAGE = (
    "Le justificatif doit être un PDF ou une image JPEG ou PNG, et son contenu "
    "doit correspondre à son extension."
)
DOCUMENT_TYPE_MESSAGE = (
    "Le contenu du fichier ne correspond pas à un document autorisé (PDF, image, bureautique)."
)
MACRO_MESSAGE = (
    "Les fichiers bureautiques contenant des macros ne sont pas acceptés : "
    "enregistrez-le sans macros (par exemple en .docx ou .xlsx)."
)


@dataclass(frozen=True)
class FileType:
    """What a file is, as read from its content, and the name endings that go with it."""

    content_type: str
    endings: tuple[str, ...]
    label: str


PDF = FileType("application/pdf", (".pdf",), "un document PDF")
PNG = FileType("image/png", (".png",), "une image PNG")
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"), "une image JPEG")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
    "un document Word",
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
    "un classeur Excel",
)
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
    "une présentation PowerPoint",
)
ODT = FileType("application/vnd.oasis.opendocument.text", (".odt",), "un texte OpenDocument")
ODS = FileType(
    "application/vnd.oasis.opendocument.spreadsheet", (".ods",), "un classeur OpenDocument"
)
DOC = FileType("application/msword", (".doc",), "un document Word 97-2003")
XLS = FileType("application/vnd.ms-excel", (".xls",), "un classeur Excel 97-2003")
# An office file carrying macros: recognised, never accepted.
WITH_MACROS = FileType("", (), "un fichier bureautique avec macros")

EVIDENCE_TYPES = frozenset({PDF, PNG, JPEG})
DOCUMENT_TYPES = frozenset({PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, ODS, DOC, XLS})
DOCUMENT_CONTENT_TYPES = tuple(sorted(t.content_type for t in DOCUMENT_TYPES))
DOCUMENT_ENDINGS = frozenset(ending for t in DOCUMENT_TYPES for ending in t.endings)
EVIDENCE_ENDINGS = frozenset(ending for t in EVIDENCE_TYPES for ending in t.endings)


def stored_name(folder: str, filename: str, endings) -> str:
    """A random name in `folder`, keeping an allowed ending: never the name the user's
    computer gave the file."""
    suffix = Path(filename).suffix.lower()
    return f"{folder}/{uuid.uuid4().hex}{suffix if suffix in endings else ''}"


_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
_ZIP_SIGNATURE = b"PK\x03\x04"
_OLE2_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")

# Office Open XML: the main part of each kind, inside a zip with [Content_Types].xml.
_OOXML_MAIN_PARTS = (
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
)
# OpenDocument: the "mimetype" entry says what the zip is.
_ODF_MIMETYPES = {ODT.content_type: ODT, ODS.content_type: ODS}
# Legacy office (OLE2 compound file, parsed by olefile): the stream that holds the
# document, and the storages that hold VBA macros.
_OLE2_STREAMS = {"WordDocument": DOC, "Workbook": XLS, "Book": XLS}
_OLE2_MACRO_STORAGES = {"Macros", "_VBA_PROJECT_CUR", "VBA"}
STREAM = olefile.STGTY_STREAM


def _detect_zip(file) -> FileType | None:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    with archive:
        names = set(archive.namelist())
        if "[Content_Types].xml" in names:
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return WITH_MACROS
            for main_part, file_type in _OOXML_MAIN_PARTS:
                if main_part in names:
                    return file_type
            return None
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            if info.file_size > 100:
                return None
            mimetype = archive.read(info).decode("ascii", "replace").strip()
            file_type = _ODF_MIMETYPES.get(mimetype)
            if file_type and any(name.startswith("Basic/") for name in names):
                return WITH_MACROS
            return file_type
    return None


def _detect_ole2(file) -> FileType | None:
    """A legacy office file (OLE2 compound file, read by olefile): the stream that holds
    the document, unless a storage holds VBA macros anywhere in it."""
    try:
        ole = olefile.OleFileIO(file)
    except Exception:  # whatever olefile cannot read is not one of our documents
        return None
    with ole:
        paths = ole.listdir(streams=True, storages=True)
        if any(set(path) & _OLE2_MACRO_STORAGES for path in paths):
            return WITH_MACROS
        for path in paths:
            if path[-1] in _OLE2_STREAMS and len(path) == 1 and ole.get_type(path) == STREAM:
                return _OLE2_STREAMS[path[0]]
    return None


def detect_file_type(file) -> FileType | None:
    """What a file is from its content (never its name), or None when it is none of ours.

    The file's position is left where it was.
    """
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        head = file.read(8)
        for signature, file_type in _SIGNATURES:
            if head.startswith(signature):
                return file_type
        if head.startswith(_ZIP_SIGNATURE):
            file.seek(0)
            return _detect_zip(file)
        if head.startswith(_OLE2_SIGNATURE):
            file.seek(0)
            return _detect_ole2(io.BytesIO(file.read()))
        return None
    finally:
        file.seek(position)


def _check_upload(
    file, *, allowed: frozenset[FileType], type_message: str, code: str, name_message: bool
) -> FileType | None:
    """The type of an uploaded file, if it is allowed, not too large and named for what it is.

    `name_message`: explain a name that disagrees with the content rather than repeat the
    general refusal.
    """
    if getattr(file, "_committed", False):
        # Already stored under a generated name: it was checked when it came in.
        return None
    if file.size > UPLOAD_MAX_BYTES:
        raise ValidationError(TOO_LARGE_MESSAGE, code=f"{code}_too_large")
    if file.size == 0:
        raise ValidationError(EMPTY_FILE_MESSAGE, code=f"{code}_empty")
    file_type = detect_file_type(file)
    if file_type is WITH_MACROS and allowed & {DOCX, XLSX, DOC, XLS}:
        raise ValidationError(MACRO_MESSAGE, code=f"{code}_macros")
    if file_type not in allowed:
        raise ValidationError(type_message, code=f"{code}_type")
    name = (getattr(file, "name", "") or "").lower()
    if not name.endswith(file_type.endings):
        if not name_message:
            raise ValidationError(type_message, code=f"{code}_type")
        raise ValidationError(
            "Le nom du fichier ne correspond pas à son contenu : ce fichier est %(label)s, "
            "son nom doit se terminer par %(endings)s.",
            code=f"{code}_name",
            params={"label": file_type.label, "endings": " ou ".join(file_type.endings)},
        )
    return file_type


def validate_evidence_file(file) -> None:
    """A PDF, PNG or JPEG of at most 10 Mo, whose content matches its name."""
    _check_upload(
        file,
        allowed=EVIDENCE_TYPES,
        type_message=EVIDENCE_TYPE_MESSAGE,
        code="evidence",
        name_message=False,
    )


def validate_document_file(file) -> FileType | None:
    """A PDF, image or office file (without macros) of at most 10 Mo, named for what it is.

    Returns the type read from the content (None for a file already stored).
    """
    return _check_upload(
        file,
        allowed=DOCUMENT_TYPES,
        type_message=DOCUMENT_TYPE_MESSAGE,
        code="document",
        name_message=True,
    )
