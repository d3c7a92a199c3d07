"""The writers of the documents attached to dossiers (who may: `pme.permissions`).

Both writers run under a pghistory context naming the user, so the audit trail records
who added or deleted each document. A refusal raises a French `ValidationError` (bad file)
or `PermissionDenied`; nothing is half-saved, on disk as in the database.
"""

import logging
from pathlib import PurePath

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from alize import antivirus
from pme import permissions
from pme.models import Document, DocumentKind, Dossier
from pme.services.common import require
from pme.validators import validate_document_file

logger = logging.getLogger(__name__)

ORIGINAL_NAME_MAX_LENGTH = Document._meta.get_field("original_name").max_length
TITLE_MAX_LENGTH = Document._meta.get_field("title").max_length


def _original_name(upload) -> str:
    """The file's own name, without any folder a browser may have sent, kept for download."""
    name = PurePath((getattr(upload, "name", "") or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "document"
    if len(name) > ORIGINAL_NAME_MAX_LENGTH:
        suffix = PurePath(name).suffix[:20]
        name = name[: ORIGINAL_NAME_MAX_LENGTH - len(suffix)] + suffix
    return name


def _default_title(original_name: str) -> str:
    return (PurePath(original_name).stem or original_name)[:TITLE_MAX_LENGTH]


def attach_document(
    *,
    dossier: Dossier,
    by,
    upload,
    kind: str = DocumentKind.OTHER,
    title: str = "",
) -> Document:
    """Store an uploaded file and attach it to a dossier.

    The file's type is read from its content and must agree with its name; it is stored
    under a generated name. If anything fails once the file is on disk (the database
    refuses the row, say), the file is removed again: no row, no orphan file.
    `title` defaults to the file's name without its extension.
    """
    require(*permissions.can_manage_documents(by, dossier))
    # Checked first so that a refused file is never written to disk.
    file_type = validate_document_file(upload)
    if file_type is None:
        raise ValidationError({"file": "Joignez un nouveau fichier."})
    # Before anything is stored: an infected file is refused, clamd down leaves it pending.
    try:
        scan = antivirus.scan_upload(upload, what=f"un document du dossier n° {dossier.pk}", by=by)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    original_name = _original_name(upload)
    document = Document(
        dossier=dossier,
        title=(title or "").strip() or _default_title(original_name),
        kind=kind,
        original_name=original_name,
        size=upload.size,
        content_type=file_type.content_type,
        file_scan=scan,
        uploaded_by=by,
    )
    document.file = upload
    try:
        with transaction.atomic(), pghistory.context(user=by.pk):
            document.full_clean()
            document.save()
    except BaseException:
        _remove_stored_file(document)
        raise
    return document


def _remove_stored_file(document: Document) -> None:
    stored = document.file
    # `_committed` turns true once the storage has written the file under its new name.
    if stored and getattr(stored, "_committed", False) and stored.name:
        try:
            stored.storage.delete(stored.name)
        except OSError:
            logger.exception("Could not remove the stored file %s", stored.name)


@transaction.atomic
def delete_document(*, document: Document, by) -> None:
    """Delete a document: its row (the audit trail keeps what it was) and, once the
    transaction commits, its file.
    """
    locked = (
        Document.objects.select_for_update(of=("self",))
        .select_related("dossier__pme__commune__epci")
        .filter(pk=document.pk)
        .first()
    )
    if locked is None:
        raise ValidationError("Ce document a déjà été supprimé.")
    require(*permissions.can_manage_documents(by, locked.dossier))
    storage, name = locked.file.storage, locked.file.name
    with pghistory.context(user=by.pk):
        locked.delete()
    # Only after the commit: a rollback must find the file still there.
    transaction.on_commit(lambda: storage.delete(name))
