"""The de minimis check of an advance (EU regulation 2023/2831).

An SME may receive at most 300,000 € of de minimis aid over any period of three years.
At the decision date D of an advance we count, over the three years ending on D (from
D − 3 years + 1 day to D, both included):
- the aid the SME declared in its latest declaration made on or before D (the
  declaration is required, even when it declares none);
- the gross grant equivalents of its other Alizé advances decided in that window (the
  application adds them itself: the SME declares only aid from others);
- the gross grant equivalent of this advance (`avances.schedule.gross_grant_equivalent`,
  at the reference rate in force at D: the basin's own rate if it has one, else the
  national one).
Above 300,000 € the grant is refused with the figures.
"""

import datetime
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alize.formatting import euros, french_date
from avances import permissions
from avances.models import (
    DeMinimisAid,
    DeMinimisDeclaration,
    Frequency,
    ReferenceRate,
)
from avances.schedule import gross_grant_equivalent
from avances.selectors import DeMinimisPosition
from avances.services.common import as_amount
from pme.models import Pme

NO_DECLARATION_MESSAGE = (
    "La PME n'a remis aucune déclaration des aides de minimis reçues sur les trois dernières "
    "années : enregistrez-la avant d'accorder l'avance."
)


def price_advance(
    *,
    basin,
    amount: Decimal,
    decision_date: datetime.date,
    duration_months: int,
    grace_months: int,
    frequency: str,
) -> tuple[Decimal, Decimal]:
    """(reference rate in force, gross grant equivalent) of an advance on these terms."""
    rate = ReferenceRate.objects.in_force_on(basin, decision_date)
    if rate is None:
        raise ValidationError(
            {
                "decision_date": (
                    f"Aucun taux de référence n'est en vigueur au {french_date(decision_date)} : "
                    "renseignez-le pour calculer l'équivalent-subvention de l'avance."
                )
            }
        )
    gge = gross_grant_equivalent(
        principal=amount,
        duration_months=duration_months,
        grace_months=grace_months,
        period_months=Frequency(frequency).months,
        annual_rate_percent=rate.annual_rate_percent,
    )
    return rate.annual_rate_percent, gge


def check_de_minimis(position: DeMinimisPosition) -> None:
    """Refuse, in French, an advance the de minimis rules do not allow."""
    if position.declaration is None:
        raise ValidationError(NO_DECLARATION_MESSAGE)
    if not position.within_ceiling:
        raise ValidationError(
            {
                "amount": (
                    f"Avec cette avance (équivalent-subvention brut de "
                    f"{euros(position.this_advance_gge, 2)}), les aides de minimis de la PME "
                    f"du {french_date(position.window_from)} au {french_date(position.day)} "
                    f"atteindraient {euros(position.total, 2)}, au-delà du plafond de "
                    f"{euros(position.ceiling, 0)} sur trois ans : l'avance ne peut pas être "
                    "accordée."
                )
            }
        )


@transaction.atomic
def record_de_minimis_declaration(
    *,
    pme: Pme,
    declared_on: datetime.date,
    signatory: str,
    aids: list[dict],
    by,
) -> DeMinimisDeclaration:
    """Record the SME's declaration and its aid lines (`grantor`, `granted_on`, `amount`,
    optional `description`); an empty list declares no aid. Aid must predate the
    declaration."""
    basin_id = pme.commune.epci.basin_id
    if not permissions.can_manage_advances(by, basin_id):
        raise PermissionDenied(
            "Seul le personnel de l'opérateur du bassin enregistre ces déclarations."
        )
    if declared_on and declared_on > timezone.localdate():
        raise ValidationError(
            {"declared_on": "La déclaration ne peut pas être datée dans le futur."}
        )
    with pghistory.context(user=by.pk):
        declaration = DeMinimisDeclaration(
            pme=pme, declared_on=declared_on, signatory=signatory, recorded_by=by
        )
        declaration.full_clean()
        declaration.save()
        for line, data in enumerate(aids, start=1):
            unknown = set(data) - {"grantor", "granted_on", "amount", "description"}
            if unknown:
                raise TypeError(f"Unexpected aid fields: {', '.join(sorted(unknown))}")
            aid = DeMinimisAid(
                declaration=declaration,
                grantor=data.get("grantor", ""),
                granted_on=data.get("granted_on"),
                amount=as_amount(data.get("amount")),
                description=data.get("description", ""),
            )
            try:
                aid.full_clean()
            except ValidationError as error:
                raise ValidationError(
                    [f"Aide n° {line} : {message}" for message in error.messages]
                ) from error
            if aid.granted_on > declared_on:
                raise ValidationError(
                    f"Aide n° {line} : elle est postérieure à la déclaration "
                    f"({french_date(aid.granted_on)})."
                )
            aid.save()
    return declaration
