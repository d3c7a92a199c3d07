"""The ledger of a basin's revolving advance fund.

Sign convention: `amount` is the cash effect on the fund, in euros.
- contribution (in): > 0, money a funder earmarked for advances and paid into the fund
  (< 0 only to correct an earlier registration);
- repayment (in): > 0, one per payment;
- repayment reversal (out): < 0, the counter-movement of a payment reversed as a mistaken
  entry (`reversed_payment`), dated the day of the reversal, for the payment's amount;
- disbursement (out): < 0, one per tranche paid to an SME;
- disbursement reversal (in): > 0, the counter-movement of a tranche reversed as a mistaken
  entry (`reversed_disbursement`), dated the day of the reversal;
- write-off (note): 0, the principal written off is in `memo_amount`. The money left
  the fund at disbursement; a write-off only says it will not come back.
So the sum of `amount` is the cash in the fund (in − out). What is computed on top of it
(`avances.selectors.with_fund_balances`): committed = granted − disbursed on advances still
to be disbursed; available = in − out − committed. Movements are written only by the services,
never changed or deleted (a trigger).
"""

import operator
from functools import reduce

import pghistory
from django.db import models
from django.db.models import Q

from alize.constraints import sane_years_checked
from alize.modelkit import check, known_choice, link, optional_link, sane_years, signed
from alize.models import MONEY, Basin
from alize.triggers import append_only
from avances.models.common import ZERO


class MovementKind(models.TextChoices):
    CONTRIBUTION = "contribution", "Contribution fléchée (entrée)"
    REPAYMENT = "remboursement", "Remboursement (entrée)"
    REPAYMENT_REVERSAL = "annulation", "Annulation d'un remboursement (sortie)"
    DISBURSEMENT = "versement", "Versement d'une avance (sortie)"
    DISBURSEMENT_REVERSAL = "annul_versement", "Annulation d'un versement (entrée)"
    WRITE_OFF = "perte", "Passage en perte (pour mémoire)"


# The entry each kind of movement records: a money movement in (gt) or out (lt) of the fund.
MONEY_SOURCES = {
    MovementKind.REPAYMENT: ("payment", "gt"),
    MovementKind.REPAYMENT_REVERSAL: ("reversed_payment", "lt"),
    MovementKind.DISBURSEMENT: ("disbursement", "lt"),
    MovementKind.DISBURSEMENT_REVERSAL: ("reversed_disbursement", "gt"),
}
SOURCE_OF_KIND = {
    MovementKind.CONTRIBUTION: "contribution",
    MovementKind.REPAYMENT: "payment",
    MovementKind.REPAYMENT_REVERSAL: "reversed_payment",
    MovementKind.DISBURSEMENT: "disbursement",
    MovementKind.DISBURSEMENT_REVERSAL: "reversed_disbursement",
    MovementKind.WRITE_OFF: "write_off",
}


class FundMovementQuerySet(models.QuerySet):
    def for_basin(self, basin: Basin):
        return self.filter(basin=basin)

    def visible_to(self, user):
        from alize.models import OPERATOR_ROLES, Role

        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.ADMIN):
            return self
        if user.has_role(*OPERATOR_ROLES, Role.STEERING):
            return self.filter(basin__in=user.basins.all())
        return self.none()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class FundMovement(models.Model):
    basin = link(Basin, "bassin", "fund_movements")
    kind = models.CharField("nature", max_length=15, choices=MovementKind.choices)
    on = models.DateField("date", validators=sane_years())
    amount = models.DecimalField("montant (€)", **MONEY)
    memo_amount = models.DecimalField("pour mémoire (€)", **MONEY, default=ZERO)
    label = models.CharField("libellé", max_length=200)
    advance = optional_link("avances.Advance", "avance", "fund_movements")
    contribution = optional_link("alize.Contribution", "contribution", "advance_fund_movements")
    disbursement = optional_link(
        "avances.Disbursement", "versement", "fund_movement", one_to_one=True
    )
    payment = optional_link("avances.Payment", "remboursement", "fund_movement", one_to_one=True)
    reversed_disbursement = optional_link(
        "avances.Disbursement", "versement annulé", "reversal_movement", one_to_one=True
    )
    reversed_payment = optional_link(
        "avances.Payment", "remboursement annulé", "reversal_movement", one_to_one=True
    )
    write_off = optional_link(
        "avances.WriteOff", "passage en perte", "fund_movement", one_to_one=True
    )
    recorded_by, recorded_at = signed("enregistré par", "enregistré le", "recorded_fund_movements")

    objects = FundMovementQuerySet.as_manager()

    class Meta:
        verbose_name = "mouvement du fonds d'avances"
        verbose_name_plural = "mouvements du fonds d'avances"
        ordering = ["basin", "on", "pk"]
        constraints = [
            known_choice(
                "kind", MovementKind, "fund_movement_kind_known", "Nature de mouvement inconnue."
            ),
            check(
                reduce(
                    operator.or_,
                    [
                        Q(
                            kind=MovementKind.CONTRIBUTION,
                            contribution__isnull=False,
                            advance__isnull=True,
                            memo_amount=0,
                        )
                        & ~Q(amount=0),
                        *(
                            Q(
                                kind=kind,
                                advance__isnull=False,
                                memo_amount=0,
                                **{f"{source}__isnull": False, f"amount__{sign}": 0},
                            )
                            for kind, (source, sign) in MONEY_SOURCES.items()
                        ),
                        Q(
                            kind=MovementKind.WRITE_OFF,
                            write_off__isnull=False,
                            advance__isnull=False,
                            amount=0,
                            memo_amount__gt=0,
                        ),
                    ],
                ),
                "fund_movement_sign_and_source",
                "Un mouvement du fonds a le signe et la pièce de sa nature : contribution "
                "(entrée), remboursement (entrée), annulation d'un remboursement (sortie), "
                "versement (sortie), annulation d'un versement (entrée), perte (pour "
                "mémoire).",
            ),
            check(
                reduce(
                    operator.and_,
                    [
                        Q(**{f"{source}__isnull": True}) | Q(kind=kind)
                        for kind, source in SOURCE_OF_KIND.items()
                    ],
                ),
                "fund_movement_one_source",
                "Un mouvement du fonds a une seule pièce justificative.",
            ),
        ]
        triggers = [
            append_only("fund_movement_append_only"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.on:%d/%m/%Y} : {self.amount} €"
