"""Files attached to dossiers."""

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from alize import antivirus
from alize.modelkit import check, link, signed
from pme.models.choices import DocumentKind
from pme.models.dossiers import Dossier
from pme.validators import (
    DOCUMENT_CONTENT_TYPES,
    DOCUMENT_ENDINGS,
    EMPTY_FILE_MESSAGE,
    TOO_LARGE_MESSAGE,
    UPLOAD_MAX_BYTES,
    stored_name,
    validate_document_file,
)


def document_path(instance, filename: str) -> str:
    """A random name under pme/documents/: never the name the user's computer gave it.

    MEDIA_ROOT is outside the web root and never served: files go out through a view that
    checks who is asking.
    """
    return stored_name("pme/documents", filename, DOCUMENT_ENDINGS)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Document(models.Model):
    """A file attached to a dossier: PDF, image or office file of at most 10 Mo.

    Its type is read from its content (`pme.validators.detect_file_type`); it is stored
    under a generated name and handed out only by `pme.views.documents`. Written and
    deleted through `pme.services.documents`.
    """

    dossier = link(Dossier, "dossier", "documents")
    title = models.CharField("titre", max_length=200)
    kind = models.CharField(
        "nature", max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER
    )
    file = models.FileField(
        "fichier",
        upload_to=document_path,
        max_length=120,
        validators=[validate_document_file],
        help_text="PDF, image (PNG, JPEG) ou fichier bureautique, 10 Mo au plus.",
    )
    file_scan = antivirus.scan_status_field()
    original_name = models.CharField("nom du fichier d'origine", max_length=255)
    size = models.PositiveIntegerField(
        "taille (octets)",
        validators=[
            MinValueValidator(1, EMPTY_FILE_MESSAGE),
            MaxValueValidator(UPLOAD_MAX_BYTES, TOO_LARGE_MESSAGE),
        ],
    )
    content_type = models.CharField("type de contenu", max_length=100)
    uploaded_by, uploaded_at = signed("déposé par", "déposé le", "pme_documents")

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documents"
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            check(
                Q(kind__in=DocumentKind.values),
                "document_kind_known",
                "Nature de document inconnue.",
            ),
            check(
                Q(content_type__in=DOCUMENT_CONTENT_TYPES),
                "document_content_type_allowed",
                "Le contenu du fichier ne correspond pas à un document autorisé "
                "(PDF, image, bureautique).",
            ),
            check(Q(size__gte=1), "document_not_empty", EMPTY_FILE_MESSAGE),
            check(Q(size__lte=UPLOAD_MAX_BYTES), "document_size_limit", TOO_LARGE_MESSAGE),
            check(~Q(file=""), "document_file_stored", "Joignez un fichier."),
        ]

    def __str__(self):
        return self.title


antivirus.register(Document, file_field="file", status_field="file_scan", label="le document")
