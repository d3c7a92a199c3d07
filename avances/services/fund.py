"""The revolving advance fund of each basin: the one writer of its ledger (its balances,
computed by the database from the ledger, are read by `avances.selectors.fund_balance`).

    cash       = Σ ledger amounts = contributions in + repayments in − disbursements out
                 (repayments and disbursements net of the reversals of mistaken entries)
    committed  = Σ (granted − disbursed) over advances neither written off nor closed
    available  = cash − committed

Every movement is written by a service in the same transaction as what it records
(`disburse_advance`, `record_payment`, `reverse_payment`, `reverse_disbursement`,
`approve_write_off`, `register_contribution`), so
the ledger reconciles to the cent with the disbursements, payments and contributions. The
sign convention of the ledger is documented in `avances.models.fund`.
"""

import datetime
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from alize.formatting import euros, french_date
from alize.models import Contribution
from alize.services.common import create_validated
from avances import permissions
from avances.models import (
    BasinAdvanceSettings,
    FundMovement,
    MovementKind,
)
from avances.models.common import ZERO
from avances.selectors import fund_balance
from avances.services.common import as_amount


def fund_settings(basin_id: int) -> BasinAdvanceSettings:
    """The basin's row of settings, created with the defaults on first use."""
    settings, _ = BasinAdvanceSettings.objects.get_or_create(basin_id=basin_id)
    return settings


def lock_fund(basin_id: int) -> BasinAdvanceSettings:
    """Lock the basin's fund until the transaction ends (see `BasinAdvanceSettings`).

    Every service locks the fund first and the advance or dossier second: always in that
    order, so two of them never wait for each other.
    """
    fund_settings(basin_id)
    return BasinAdvanceSettings.objects.select_for_update().get(basin_id=basin_id)


@transaction.atomic
def register_contribution(
    *,
    contribution: Contribution,
    amount,
    on: datetime.date,
    by,
    label: str = "",
) -> FundMovement:
    """Record money of a funder's contribution paid into the basin's advance fund.

    What is registered for a contribution never exceeds its part earmarked for advances
    (`Contribution.earmarked_for_advances`). A negative amount corrects an earlier
    registration; it may not leave the fund short of what it has committed.
    """
    basin_id = Contribution.objects.values_list("funder__basin_id", flat=True).get(
        pk=contribution.pk
    )
    if not permissions.can_manage_advances(by, basin_id):
        raise PermissionDenied("Seul le personnel de l'opérateur du bassin alimente son fonds.")
    amount = as_amount(amount)
    if amount == 0:
        raise ValidationError({"amount": "Le montant ne peut pas être nul."})
    if on > timezone.localdate():
        raise ValidationError({"on": "Une entrée au fonds ne peut pas être datée dans le futur."})
    with pghistory.context(user=by.pk):
        lock_fund(basin_id)
        contribution = Contribution.objects.select_related("funder", "period").get(
            pk=contribution.pk
        )
        registered = (
            FundMovement.objects.filter(contribution=contribution).aggregate(t=Sum("amount"))["t"]
            or ZERO
        )
        after = registered + amount
        if after > contribution.earmarked_for_advances:
            raise ValidationError(
                {
                    "amount": (
                        f"Cette entrée porterait à {euros(after, 2)} ce que le fonds a reçu de "
                        f"cette contribution, au-delà de sa part fléchée vers les avances "
                        f"({euros(contribution.earmarked_for_advances, 2)})."
                    )
                }
            )
        if after < 0:
            raise ValidationError(
                {"amount": "Une correction ne peut retirer plus que ce qui a été enregistré."}
            )
        if amount < 0:
            available = fund_balance(basin_id).available
            if available + amount < 0:
                raise ValidationError(
                    {
                        "amount": (
                            f"Le fonds ne dispose que de {euros(available, 2)} non engagés : "
                            "cette correction le rendrait insuffisant pour les avances accordées."
                        )
                    }
                )
        movement = create_validated(
            FundMovement,
            basin_id=basin_id,
            kind=MovementKind.CONTRIBUTION,
            on=on,
            amount=amount,
            label=label or f"Contribution de {contribution.funder} ({contribution.period.name})",
            contribution=contribution,
            recorded_by=by,
        )
    return movement


def record_movement(
    *,
    basin_id: int,
    kind: str,
    on: datetime.date,
    amount: Decimal,
    label: str,
    by,
    memo_amount: Decimal = ZERO,
    **sources,
) -> FundMovement:
    """Write one ledger line for what another service just recorded (in its transaction)."""
    movement = create_validated(
        FundMovement,
        basin_id=basin_id,
        kind=kind,
        on=on,
        amount=amount,
        memo_amount=memo_amount,
        label=label[:200],
        recorded_by=by,
        **sources,
    )
    return movement


def refuse_beyond_available(basin_id: int, amount: Decimal, *, field: str = "amount") -> None:
    """Refuse to commit `amount` more than the fund has available (call under `lock_fund`)."""
    available = fund_balance(basin_id).available
    if amount > available:
        raise ValidationError(
            {
                field: (
                    f"Le fonds d'avances du bassin ne dispose que de {euros(available, 2)} "
                    f"non engagés au {french_date(timezone.localdate())} : une avance de "
                    f"{euros(amount, 2)} ne peut pas être accordée."
                )
            }
        )
