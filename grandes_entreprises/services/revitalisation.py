"""Writers of revitalisation conventions and the payments made under them."""

import datetime
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from alize.formatting import euros
from alize.models import User
from alize.services.common import create_validated, lock_row
from grandes_entreprises import permissions
from grandes_entreprises.models import (
    ConventionPayment,
    Corporation,
    RevitalisationConvention,
    SmicRate,
)
from grandes_entreprises.models.common import (
    MULTIPLE_CEILING,
    NO_CONVENTION_MESSAGE,
    REVITALISATION_HEADCOUNT,
)
from grandes_entreprises.services._common import _date, _lock_corporation, _require


@transaction.atomic
def create_convention(
    *,
    by: User,
    corporation: Corporation,
    reference: str,
    signature_date: datetime.date,
    jobs_eliminated: int,
    employees_reclassified: int = 0,
    multiple: Decimal | None = None,
    without_convention: bool = False,
    jobs_to_recreate: int = 0,
    ends_on: datetime.date | None = None,
    comment: str = "",
) -> RevitalisationConvention:
    """Record a corporation's revitalisation obligation.

    The monthly SMIC in force at the signature date is copied onto the convention; the
    database computes the amount due from it. `without_convention` (the firm signed none)
    sets the multiple to 4: giving another one with it is refused.
    """
    _require(
        permissions.can_manage_conventions(by, corporation),
        "Seul le personnel de l'opérateur du bassin enregistre une convention de revitalisation.",
    )
    if without_convention:
        if multiple is not None and Decimal(multiple) != MULTIPLE_CEILING:
            raise ValidationError({"multiple": NO_CONVENTION_MESSAGE})
        multiple = MULTIPLE_CEILING
    elif multiple is None:
        raise ValidationError({"multiple": "Indiquez le multiple du SMIC fixé par le préfet."})
    with pghistory.context(user=by.pk):
        corporation = _lock_corporation(corporation)
        if corporation.headcount < REVITALISATION_HEADCOUNT:
            raise ValidationError(
                {
                    "corporation": (
                        "L'obligation de revitalisation ne concerne que les entreprises et "
                        "groupes d'au moins 1 000 salariés."
                    )
                }
            )
        smic = SmicRate.objects.in_force_on(signature_date) if signature_date else None
        if signature_date and smic is None:
            raise ValidationError(
                {
                    "signature_date": (
                        f"Aucun SMIC n'est connu au {_date(signature_date)} : complétez la table "
                        "du SMIC."
                    )
                }
            )
        convention = create_validated(
            RevitalisationConvention,
            corporation=corporation,
            reference=reference,
            signature_date=signature_date,
            ends_on=ends_on,
            without_convention=without_convention,
            jobs_eliminated=jobs_eliminated,
            employees_reclassified=employees_reclassified,
            multiple=multiple,
            smic_monthly=smic.monthly_amount if smic else None,
            smic_valid_from=smic.valid_from if smic else None,
            jobs_to_recreate=jobs_to_recreate,
            comment=comment,
            created_by=by,
        )
    # The amount due is the database's: read it back.
    convention.refresh_from_db(fields=["amount_due"])
    return convention


@transaction.atomic
def record_convention_payment(
    *,
    convention: RevitalisationConvention,
    by: User,
    paid_on: datetime.date,
    amount: Decimal,
    comment: str = "",
) -> ConventionPayment:
    """Record money a corporation paid into Alizé under its convention.

    The convention is locked: the payments never add up to more than the amount due.
    Without a convention the firm pays the State, not the programme: refused.
    """
    with pghistory.context(user=by.pk):
        locked = lock_row(RevitalisationConvention, convention.pk, "corporation")
        _require(
            permissions.can_manage_conventions(by, locked.corporation),
            permissions.NOT_YOUR_BASIN,
        )
        if locked.without_convention:
            raise ValidationError(
                "Sans convention, l'entreprise verse sa contribution au Trésor public : "
                "aucun versement n'est reçu par le programme à ce titre."
            )
        payment = ConventionPayment(
            convention=locked, paid_on=paid_on, amount=amount, comment=comment, recorded_by=by
        )
        payment.full_clean()
        paid = locked.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        if paid + amount > locked.amount_due:
            raise ValidationError(
                {
                    "amount": (
                        f"Ce versement porterait le total versé à {euros(paid + amount, 2)}, "
                        f"au-delà du montant dû ({euros(locked.amount_due, 2)})."
                    )
                }
            )
        payment.save()
    return payment
