"""Repayments: the payment rules, recording a payment and reversing a mistaken one.

How payments are allocated, and how early payments and overpayments are treated, is
written in `avances.models.payments`."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alize.formatting import euros, french_date
from alize.services.common import create_validated
from avances.models import (
    Advance,
    Allocation,
    Instalment,
    MovementKind,
    Payment,
    PaymentMeans,
    Schedule,
    ScheduleKind,
)
from avances.models.advances import POSITIVE_AMOUNT_MESSAGE
from avances.services.common import (
    active_schedule,
    advance_totals,
    as_amount,
    lock_advance,
    require_operator,
)
from avances.services.fund import lock_fund, record_movement
from avances.services.reversal import lock_for_reversal, mark_reversed

# --- Payments ----------------------------------------------------------------------------


@dataclass
class PaymentState:
    """What the payment rules read of an advance (see `payment_errors`)."""

    advance: Advance
    first_disbursed_on: datetime.date | None
    schedule_starts_on: datetime.date | None
    schedule_kind: str | None
    outstanding: Decimal


def payment_state(advance: Advance) -> PaymentState:
    disbursed, repaid = advance_totals(advance)
    schedule = active_schedule(advance)
    first = (
        advance.disbursements.not_reversed()
        .order_by("disbursed_on")
        .values_list("disbursed_on", flat=True)
    )
    return PaymentState(
        advance=advance,
        first_disbursed_on=first[0] if first else None,
        schedule_starts_on=schedule.starts_on if schedule else None,
        schedule_kind=schedule.kind if schedule else None,
        outstanding=disbursed - repaid,
    )


def payment_errors(state: PaymentState, *, paid_on: datetime.date, amount: Decimal) -> dict:
    """French messages, by field, for a payment the rules refuse (empty when accepted)."""
    advance = state.advance
    if advance.written_off_on:
        return {
            "advance": (
                f"Cette avance est passée en perte le {french_date(advance.written_off_on)} : "
                "aucun remboursement ne peut plus y être enregistré."
            )
        }
    if state.first_disbursed_on is None:
        return {
            "advance": (
                "Cette avance n'a pas encore été versée : aucun remboursement ne peut être "
                "enregistré."
            )
        }
    errors = {}
    if amount <= 0:
        errors["amount"] = POSITIVE_AMOUNT_MESSAGE
    elif amount > state.outstanding:
        errors["amount"] = (
            f"Ce paiement de {euros(amount, 2)} dépasse le capital restant dû "
            f"({euros(state.outstanding, 2)}) : un trop-perçu n'est pas enregistré. "
            f"Enregistrez {euros(state.outstanding, 2)} et reversez la différence à l'entreprise."
        )
    if paid_on > timezone.localdate():
        errors["paid_on"] = "Un paiement ne peut pas être daté dans le futur."
    elif paid_on < state.first_disbursed_on:
        errors["paid_on"] = (
            f"Le paiement du {french_date(paid_on)} précède le premier versement de l'avance "
            f"({french_date(state.first_disbursed_on)})."
        )
    elif state.schedule_kind == ScheduleKind.RESCHEDULING and paid_on < state.schedule_starts_on:
        errors["paid_on"] = (
            f"Le paiement du {french_date(paid_on)} précède le rééchelonnement de l'avance "
            f"(à compter du {french_date(state.schedule_starts_on)}), qui a repris le capital "
            "restant dû à cette date."
        )
    return errors


def _allocate(payment: Payment, schedule: Schedule) -> list[Allocation]:
    """Settle the oldest unpaid instalments first, then the next ones (see the rules in
    `avances.models.payments`)."""
    left = payment.amount
    allocations = []
    for instalment in (
        Instalment.objects.filter(schedule=schedule).unpaid().order_by("due_date", "number")
    ):
        if left == 0:
            break
        part = min(left, instalment.remaining)
        allocations.append(Allocation(payment=payment, instalment=instalment, amount=part))
        left -= part
    if left:
        # The active schedule's unpaid instalments always add up to the outstanding
        # principal, which the payment may not exceed: reaching this is a bug.
        raise RuntimeError(f"{left} € of payment {payment.pk} could not be allocated")
    return Allocation.objects.bulk_create(allocations)


@transaction.atomic
def record_payment(
    *,
    advance: Advance,
    paid_on: datetime.date,
    amount,
    means: str = PaymentMeans.TRANSFER,
    reference: str = "",
    by,
) -> Payment:
    """Record money the SME paid back and allocate it to the instalments.

    The rules (allocation order, early payment, overpayment, refusals) are those of
    `avances.models.payments`. The fund, then the advance, are locked: two payments
    recorded at the same moment are both kept, the second allocated after the first.
    """
    require_operator(by, advance.basin_id)
    amount = as_amount(amount)
    if paid_on is None:
        raise ValidationError({"paid_on": "Indiquez la date du paiement."})
    with pghistory.context(user=by.pk):
        lock_fund(advance.basin_id)
        advance = lock_advance(advance)
        errors = payment_errors(payment_state(advance), paid_on=paid_on, amount=amount)
        if errors:
            raise ValidationError(errors)
        payment = create_validated(
            Payment,
            advance=advance,
            paid_on=paid_on,
            amount=amount,
            means=means,
            reference=reference,
            recorded_by=by,
        )
        _allocate(payment, active_schedule(advance))
        record_movement(
            basin_id=advance.basin_id,
            kind=MovementKind.REPAYMENT,
            on=paid_on,
            amount=amount,
            label=f"Remboursement de l'avance {advance.reference} – {advance.dossier.pme}",
            by=by,
            advance=advance,
            payment=payment,
        )
    return payment


# --- Reversal of a mistaken entry ---------------------------------------------------------


@transaction.atomic
def reverse_payment(*, payment: Payment, reason: str, by) -> Payment:
    """Reverse a payment recorded by mistake (wrong advance, wrong amount, a cheque that
    bounced): it is never deleted, it is marked reversed (who, when, why) and counts no more.

    Its allocations are undone, and so are those of the other payments on the active
    schedule, which are then allocated again in the order they were paid (oldest first),
    so that the instalments are settled exactly as if the mistaken payment had never been
    recorded. Undone allocations stay, marked (`Allocation.undone_by`). The fund's ledger
    gets a counter-movement of the same amount, dated the day of the reversal (a ledger
    line is never backdated).

    Refused (French `ValidationError`): without a reason; a payment already reversed; an
    advance written off (the write-off was computed with the payment); a payment allocated
    to a schedule since replaced by a rescheduling or a new tranche (the new schedule's
    principal counted it as paid). `PermissionDenied` for anyone but the operator staff of
    the advance's basin. Locks the fund, then the advance, as `record_payment` does: a
    payment recorded at the same moment is allocated either before or after the reversal,
    never in the middle.

    Recording the right payment afterwards is an ordinary `record_payment`.
    """
    with pghistory.context(user=by.pk):
        advance, payment, reason = lock_for_reversal(payment, reason=reason, by=by)
        schedule = active_schedule(advance)
        live = Allocation.objects.live()
        if live.filter(payment=payment).exclude(instalment__schedule=schedule).exists():
            raise ValidationError(
                "Ce remboursement est imputé sur un échéancier remplacé depuis (nouvelle tranche "
                "ou rééchelonnement), dont le capital le comptait comme payé : il ne peut plus "
                "être annulé."
            )
        mark_reversed(payment, reason=reason, by=by)

        on_schedule = live.filter(instalment__schedule=schedule)
        others = list(
            Payment.objects.not_reversed()
            .filter(pk__in=on_schedule.values("payment"))
            .order_by("paid_on", "pk")
        )
        on_schedule.update(undone_by=payment)
        for other in others:
            _allocate(other, schedule)
        record_movement(
            basin_id=advance.basin_id,
            kind=MovementKind.REPAYMENT_REVERSAL,
            on=timezone.localdate(),
            amount=-payment.amount,
            label=(
                f"Annulation du remboursement du {french_date(payment.paid_on)} de l'avance "
                f"{advance.reference} – {advance.dossier.pme}"
            ),
            by=by,
            advance=advance,
            reversed_payment=payment,
        )
    return payment
