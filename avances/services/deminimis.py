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

from alize import antivirus
from alize.formatting import euros, french_date
from avances import permissions
from avances.models import (
    DeMinimisAid,
    DeMinimisDeclaration,
    Frequency,
    ReferenceRate,
    Regulation,
)
from avances.models.common import ZERO
from avances.schedule import gross_grant_equivalent
from avances.selectors import DeMinimisPosition, de_minimis_position, window_start
from avances.services.common import as_amount
from pme.models import Pme
from pme.validators import validate_evidence_file

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
                    "le responsable de l'opérateur le renseigne sur la page « Conditions des "
                    "avances » du bassin, pour calculer l'équivalent-subvention de l'avance."
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


AID_FIELDS = frozenset({"grantor", "granted_on", "amount", "regulation", "description"})


def _aid_line(declaration, line: int, data: dict, window_from: datetime.date) -> DeMinimisAid:
    """One aid line checked (not saved): its fields, and a date within the three years
    the declaration covers."""
    unknown = set(data) - AID_FIELDS
    if unknown:
        raise TypeError(f"Unexpected aid fields: {', '.join(sorted(unknown))}")
    aid = DeMinimisAid(
        declaration=declaration,
        grantor=data.get("grantor", ""),
        granted_on=data.get("granted_on"),
        amount=as_amount(data.get("amount")),
        regulation=data.get("regulation") or Regulation.GENERAL,
        description=data.get("description", ""),
    )
    try:
        aid.full_clean(exclude=["declaration"])
    except ValidationError as error:
        raise ValidationError(
            [f"Aide n° {line} : {message}" for message in error.messages]
        ) from error
    if aid.granted_on > declaration.declared_on:
        raise ValidationError(
            f"Aide n° {line} : elle est postérieure à la déclaration "
            f"({french_date(aid.granted_on)})."
        )
    if aid.granted_on < window_from:
        raise ValidationError(
            f"Aide n° {line} : accordée le {french_date(aid.granted_on)}, elle précède les "
            f"trois années que couvre la déclaration (du {french_date(window_from)} au "
            f"{french_date(declaration.declared_on)}) : elle ne se déclare pas."
        )
    return aid


def _check_declared_ceiling(declaration: DeMinimisDeclaration) -> None:
    """The aid declared, with the SME's Alizé advances of the same three years, stays
    within the ceiling."""
    position = de_minimis_position(
        pme=declaration.pme, day=declaration.declared_on, gge=ZERO, declaration=declaration
    )
    if not position.within_ceiling:
        alize = (
            f", dont {euros(position.other_advances_total, 2)} d'avances Alizé"
            if position.other_advances
            else ""
        )
        raise ValidationError(
            f"Les aides de minimis déclarées du {french_date(position.window_from)} au "
            f"{french_date(position.day)} totalisent {euros(position.total, 2)}{alize}, "
            f"au-delà du plafond de {euros(position.ceiling, 0)} sur trois ans : vérifiez les "
            "montants saisis."
        )


def record_de_minimis_declaration(
    *,
    pme: Pme,
    declared_on: datetime.date,
    signatory: str,
    aids: list[dict],
    by,
    signed_declaration=None,
) -> DeMinimisDeclaration:
    """Record the SME's declaration and its aid lines (`grantor`, `granted_on`, `amount`,
    optional `regulation` and `description`); an empty list declares no aid.

    Each aid was granted within the three years ending on the declaration's date; together
    with the SME's Alizé advances of those years they stay within the ceiling.
    `signed_declaration`, the uploaded scan of the signed form (PDF, JPEG or PNG), is
    stored last, once everything else is accepted: a refusal leaves no file behind. It is
    scanned by the antivirus first, outside the transaction.
    """
    basin_id = pme.commune.epci.basin_id
    if not permissions.can_manage_advances(by, basin_id):
        raise PermissionDenied(
            "Seul le personnel de l'opérateur du bassin enregistre ces déclarations."
        )
    if declared_on and declared_on > timezone.localdate():
        raise ValidationError(
            {"declared_on": "La déclaration ne peut pas être datée dans le futur."}
        )
    scan = antivirus.ScanStatus.PENDING
    if signed_declaration is not None:
        validate_evidence_file(signed_declaration)
        try:
            scan = antivirus.scan_upload(
                signed_declaration, what=f"la déclaration de minimis de la PME n° {pme.pk}", by=by
            )
        except ValidationError as error:
            raise ValidationError({"signed_declaration": error.messages}) from error
    with transaction.atomic(), pghistory.context(user=by.pk):
        declaration = DeMinimisDeclaration(
            pme=pme, declared_on=declared_on, signatory=signatory, recorded_by=by
        )
        declaration.full_clean()
        window_from = window_start(declared_on)
        lines = [
            _aid_line(declaration, line, data, window_from)
            for line, data in enumerate(aids, start=1)
        ]
        declaration.save()
        for aid in lines:
            aid.declaration = declaration
            aid.save()
        _check_declared_ceiling(declaration)
        if signed_declaration is not None:
            declaration.signed_declaration_scan = scan
            declaration.signed_declaration.save(signed_declaration.name, signed_declaration)
    return declaration
