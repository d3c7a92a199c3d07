"""The people actually hired by supported SMEs."""

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from alize import antivirus
from alize.constraints import sane_years_checked
from alize.modelkit import check, link, sane_years
from pme.models.choices import ContractKind
from pme.models.common import EVIDENCE_HELP, evidence_file
from pme.models.dossiers import Dossier
from pme.validators import EVIDENCE_ENDINGS, stored_name


def hire_evidence_path(instance, filename: str) -> str:
    return stored_name("pme/preuves", filename, EVIDENCE_ENDINGS)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class Hire(models.Model):
    """One person actually hired by a supported SME. Planned jobs live on the dossier."""

    dossier = link(Dossier, "dossier", "hires")
    hire_date = models.DateField("date d'embauche", validators=sane_years())
    contract = models.CharField("contrat", max_length=12, choices=ContractKind.choices)
    job_title = models.CharField("poste", max_length=150, blank=True)
    evidence = evidence_file(
        "justificatif", hire_evidence_path, help_text=f"Facultatif : {EVIDENCE_HELP}"
    )
    evidence_scan = antivirus.scan_status_field("analyse antivirus du justificatif")
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    class Meta:
        verbose_name = "embauche"
        verbose_name_plural = "embauches"
        ordering = ["dossier", "hire_date", "pk"]
        constraints = [
            check(
                Q(contract__in=ContractKind.values),
                "hire_contract_known",
                "Type de contrat inconnu.",
            ),
        ]

    def __str__(self):
        return f"{self.get_contract_display()} le {self.hire_date:%d/%m/%Y}"

    def clean(self):
        if self.hire_date and self.hire_date > timezone.localdate():
            raise ValidationError(
                {"hire_date": "On n'enregistre que les embauches déjà faites : date dans le futur."}
            )
        dossier = self.dossier if self.dossier_id else None
        if dossier and self.hire_date and self.hire_date < dossier.orientation_date:
            raise ValidationError(
                {
                    "hire_date": (
                        "Cette embauche précède l'orientation de l'entreprise vers Alizé "
                        f"({dossier.orientation_date:%d/%m/%Y}) : elle ne compte pas."
                    )
                }
            )


antivirus.register(
    Hire, file_field="evidence", status_field="evidence_scan", label="le justificatif d'embauche"
)
