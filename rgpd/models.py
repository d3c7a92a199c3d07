"""The register of redactions: each time personal fields were rewritten in the audit trail.

The audit trail is append-only (docs/audit.md); the GDPR's retention and erasure are its one
exception. Each redaction is written here, in the same transaction: who asked, when, why,
which rows of which event table, the seal digests those rows had before and the chain's
head before and after (to reconcile with the heads logged outside the database). This table
is itself append-only, hence sealed like the rest of the trail.
"""

from django.conf import settings
from django.db import models

from alize.triggers import append_only


class Reason(models.TextChoices):
    RETENTION = "conservation", "Durée de conservation échue"
    ERASURE = "effacement", "Demande d'effacement"


class Redaction(models.Model):
    at = models.DateTimeField("le", auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Vide : la tâche quotidienne de conservation.",
    )
    reason = models.CharField("motif", max_length=15, choices=Reason.choices)
    subject = models.CharField("personne ou objet", max_length=100)
    table_name = models.CharField("table du journal", max_length=63)
    row_pks = models.JSONField("lignes caviardées")
    fields = models.JSONField("champs caviardés")
    digests_before = models.JSONField("empreintes avant")
    head_before = models.CharField("tête de chaîne avant", max_length=64, blank=True)
    head_after = models.CharField("tête de chaîne après", max_length=64, blank=True)
    resealed = models.PositiveIntegerField("sceaux recalculés", default=0)

    class Meta:
        verbose_name = "caviardage du journal d'audit"
        verbose_name_plural = "caviardages du journal d'audit"
        ordering = ["-at", "-pk"]
        triggers = [append_only("rgpd_redaction_append_only")]

    def __str__(self):
        return f"{self.subject} : {self.table_name} ({len(self.row_pks)} lignes)"
