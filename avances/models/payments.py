"""Repayments and their allocation to instalments.

Rules (they go in the README):
- A payment is allocated to the instalments of the active schedule in due-date order,
  the oldest unpaid one first; a partial payment leaves an instalment partly paid, and
  the next payment completes it first.
- Early repayment: an amount beyond what is due goes on, in the same order, to the
  instalments not yet due, which are thus settled ahead of time (the next ones first).
  The schedule is not recomputed: the SME simply has nothing to pay on those dates; the
  advance is repaid sooner.
- Overpayment: a payment beyond the principal outstanding (disbursed − repaid) is refused
  with a message; nothing is kept as a credit. The surplus goes back to the SME outside
  the application.
- A payment is refused on an advance not yet disbursed, dated before the first
  disbursement (or before the start of a rescheduling), on a written-off advance, of zero
  or a negative amount, or dated in the future.
- A mistaken entry is reversed (`avances.services.reverse_payment`), never deleted: the
  payment stays, marked reversed (who, when, why); its allocations and those of the other
  payments on the active schedule are marked undone (`Allocation.undone_by`), the other
  payments are allocated again oldest first, and the fund's ledger gets a counter-movement.
  Every read of money counts only payments not reversed and allocations not undone
  (`Payment.objects.not_reversed()`, `Allocation.objects.live()`).
"""

import pghistory
import pgtrigger
from django.db import models
from django.db.models import Q

from alize.constraints import positive, sane_years_checked
from alize.modelkit import known_choice, link, optional_link, sane_years, signed, unique
from alize.models import MONEY
from alize.triggers import never_deleted
from avances.models.common import (
    POSITIVE_AMOUNT_MESSAGE,
    ReversibleEntry,
    ReversibleEntryQuerySet,
    reversed_by_field,
    reversible_entry_checks,
    reversible_triggers,
)


class PaymentMeans(models.TextChoices):
    TRANSFER = "virement", "Virement"
    DIRECT_DEBIT = "prelevement", "Prélèvement"
    CHEQUE = "cheque", "Chèque"


class PaymentQuerySet(ReversibleEntryQuerySet):
    def visible_to(self, user):
        from avances.models.advances import Advance

        return self.filter(advance__in=Advance.objects.visible_to(user))


# The fields a payment is recorded with: never changed, even by its reversal.
PAYMENT_RECORD_FIELDS = [
    "advance",
    "paid_on",
    "amount",
    "means",
    "reference",
    "recorded_by",
    "recorded_at",
]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class Payment(ReversibleEntry):
    """Money an SME paid back. Recorded by `record_payment`, never changed nor deleted;
    a mistaken entry is marked reversed once (`reverse_payment`) and then counts no more."""

    advance = link("avances.Advance", "avance", "payments")
    paid_on = models.DateField("date du paiement", validators=sane_years())
    amount = models.DecimalField("montant (€)", **MONEY)
    means = models.CharField("moyen de paiement", max_length=15, choices=PaymentMeans.choices)
    reference = models.CharField("référence bancaire", max_length=140, blank=True)
    recorded_by, recorded_at = signed(
        "enregistré par", "enregistré le", "recorded_advance_payments"
    )
    reversed_by = reversed_by_field("reversed_advance_payments")

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "remboursement"
        verbose_name_plural = "remboursements"
        ordering = ["advance", "paid_on", "pk"]
        constraints = [
            *reversible_entry_checks("payment", "paiement"),
            known_choice(
                "means", PaymentMeans, "payment_means_known", "Moyen de paiement inconnu."
            ),
        ]
        triggers = reversible_triggers("payment", PAYMENT_RECORD_FIELDS)

    def __str__(self):
        return f"Remboursement du {self.paid_on:%d/%m/%Y}"


class AllocationQuerySet(models.QuerySet):
    def live(self):
        """The allocations that count (those a reversal undid are kept as a trace)."""
        return self.filter(undone_by__isnull=True)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Allocation(models.Model):
    """The part of a payment that settles (part of) one instalment.

    Never changed nor deleted, but for `undone_by`, set once when the reversal of a
    payment (that one, or an earlier one on the same schedule) undoes it."""

    payment = link(Payment, "paiement", "allocations")
    instalment = link("avances.Instalment", "échéance", "allocations")
    amount = models.DecimalField("montant imputé (€)", **MONEY)
    undone_by = optional_link(
        Payment, "défaite par l'annulation du paiement", "undone_allocations", editable=False
    )

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = "imputation"
        verbose_name_plural = "imputations"
        ordering = ["payment", "instalment__number"]
        constraints = [
            unique(
                ["payment", "instalment"],
                "allocation_once_per_instalment",
                "Ce paiement est déjà imputé sur cette échéance.",
                condition=Q(undone_by__isnull=True),
            ),
            positive("amount", "allocation_amount_positive", POSITIVE_AMOUNT_MESSAGE),
        ]
        triggers = [
            pgtrigger.ReadOnly(
                name="allocation_read_only_but_undone",
                fields=["payment", "instalment", "amount"],
            ),
            never_deleted("allocation_never_deleted"),
            pgtrigger.Protect(
                name="allocation_undone_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__undone_by__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.amount} € sur {self.instalment}"
