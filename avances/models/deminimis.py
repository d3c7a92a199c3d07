"""What an SME declares of the other de minimis aid it received (EU regulation 2023/2831:
300,000 € over any three-year period), for the check `grant_advance` makes."""

import pghistory
from django.db import models
from django.db.models import Q
from django.utils import timezone

from alize.modelkit import author
from alize.models import MONEY


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class DeMinimisDeclaration(models.Model):
    """The SME's signed statement, on a date, of the de minimis aid it received over the
    three years before (its lines are `DeMinimisAid`; none means it declared none)."""

    pme = models.ForeignKey(
        "pme.Pme",
        on_delete=models.PROTECT,
        related_name="de_minimis_declarations",
        verbose_name="PME",
    )
    declared_on = models.DateField("déclarée le")
    signatory = models.CharField("signataire", max_length=150)
    recorded_by = author("enregistrée par", "recorded_de_minimis_declarations")
    recorded_at = models.DateTimeField("enregistrée le", default=timezone.now)

    class Meta:
        verbose_name = "déclaration des aides de minimis"
        verbose_name_plural = "déclarations des aides de minimis"
        ordering = ["pme", "-declared_on", "-pk"]

    def __str__(self):
        return f"Déclaration de minimis du {self.declared_on:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class DeMinimisAid(models.Model):
    """One de minimis aid declared: who granted it, when, its gross grant equivalent."""

    declaration = models.ForeignKey(
        DeMinimisDeclaration,
        on_delete=models.CASCADE,
        related_name="aids",
        verbose_name="déclaration",
    )
    grantor = models.CharField("organisme qui l'a accordée", max_length=200)
    granted_on = models.DateField("accordée le")
    amount = models.DecimalField(
        "montant (€, équivalent-subvention brut)",
        **MONEY,
    )
    description = models.CharField("nature de l'aide", max_length=200, blank=True)

    class Meta:
        verbose_name = "aide de minimis déclarée"
        verbose_name_plural = "aides de minimis déclarées"
        ordering = ["declaration", "granted_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="de_minimis_aid_amount_positive",
                violation_error_message="Le montant de l'aide doit être positif.",
            ),
        ]

    def __str__(self):
        return f"{self.grantor} : {self.amount} € le {self.granted_on:%d/%m/%Y}"
