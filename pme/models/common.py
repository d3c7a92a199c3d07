"""What the models of the SME app share with the apps above it."""

from django.db import models

from pme.validators import validate_evidence_file

EVIDENCE_HELP = "PDF, JPEG ou PNG, 10 Mo au plus."


def evidence_file(verbose_name: str, upload_to, help_text: str = EVIDENCE_HELP):
    """A scan kept as evidence (a signed declaration, a hire's contract), which may be left
    out: PDF, JPEG or PNG of at most 10 Mo, stored under the random name `upload_to` gives
    it and handed out only by a view that checks who asks."""
    return models.FileField(
        verbose_name,
        upload_to=upload_to,
        max_length=120,
        blank=True,
        validators=[validate_evidence_file],
        help_text=help_text,
    )
