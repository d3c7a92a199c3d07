"""What an SME declares of the other de minimis aid it received (EU regulation 2023/2831:
300,000 € over any three-year period), for the check `grant_advance` makes."""

import pghistory
from django.db import models

from alize import antivirus
from alize.constraints import positive, sane_years_checked
from alize.modelkit import known_choice, link, sane_years, signed
from alize.models import MONEY
from pme.models.common import evidence_file
from pme.validators import EVIDENCE_ENDINGS, stored_name


class Regulation(models.TextChoices):
    """The EU regulation under which a de minimis aid was granted (it says so in the
    grant letter the SME received)."""

    GENERAL = "ue_2023_2831", "Règlement (UE) 2023/2831 (de minimis général)"
    GENERAL_2013 = "ue_1407_2013", "Règlement (UE) n° 1407/2013 (de minimis général, avant 2024)"
    SIEG = "ue_2023_2832", "Règlement (UE) 2023/2832 (services d'intérêt économique général)"
    AGRICULTURE = "ue_1408_2013", "Règlement (UE) n° 1408/2013 (secteur agricole)"
    FISHERIES = "ue_717_2014", "Règlement (UE) n° 717/2014 (pêche et aquaculture)"


def signed_declaration_path(instance, filename: str) -> str:
    """A random name: the file goes out only through the view that checks who asks."""
    return stored_name("avances/de-minimis", filename, EVIDENCE_ENDINGS)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class DeMinimisDeclaration(models.Model):
    """The SME's signed statement, on a date, of the de minimis aid it received over the
    three years before (its lines are `DeMinimisAid`; none means it declared none)."""

    pme = link("pme.Pme", "PME", "de_minimis_declarations")
    declared_on = models.DateField("déclarée le", validators=sane_years())
    signatory = models.CharField("signataire", max_length=150)
    recorded_by, recorded_at = signed(
        "enregistrée par", "enregistrée le", "recorded_de_minimis_declarations"
    )
    signed_declaration = evidence_file("déclaration signée", signed_declaration_path)
    signed_declaration_scan = antivirus.scan_status_field(
        "analyse antivirus de la déclaration signée"
    )

    class Meta:
        verbose_name = "déclaration des aides de minimis"
        verbose_name_plural = "déclarations des aides de minimis"
        ordering = ["pme", "-declared_on", "-pk"]

    def __str__(self):
        return f"Déclaration de minimis du {self.declared_on:%d/%m/%Y}"


antivirus.register(
    DeMinimisDeclaration,
    file_field="signed_declaration",
    status_field="signed_declaration_scan",
    label="la déclaration de minimis signée",
)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class DeMinimisAid(models.Model):
    """One de minimis aid declared: who granted it, when, its gross grant equivalent."""

    declaration = link(DeMinimisDeclaration, "déclaration", "aids", on_delete=models.CASCADE)
    grantor = models.CharField("organisme qui l'a accordée", max_length=200)
    granted_on = models.DateField("accordée le", validators=sane_years())
    amount = models.DecimalField("montant (€, équivalent-subvention brut)", **MONEY)
    regulation = models.CharField(
        "règlement", max_length=20, choices=Regulation.choices, default=Regulation.GENERAL
    )
    description = models.CharField("nature de l'aide", max_length=200, blank=True)

    class Meta:
        verbose_name = "aide de minimis déclarée"
        verbose_name_plural = "aides de minimis déclarées"
        ordering = ["declaration", "granted_on", "pk"]
        constraints = [
            known_choice(
                "regulation",
                Regulation,
                name="de_minimis_aid_regulation_known",
                message="Règlement inconnu.",
            ),
            positive(
                "amount",
                "de_minimis_aid_amount_positive",
                "Le montant de l'aide doit être positif.",
            ),
        ]

    def __str__(self):
        return f"{self.grantor} : {self.amount} € le {self.granted_on:%d/%m/%Y}"
