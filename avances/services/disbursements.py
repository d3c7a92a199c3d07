"""The contract, the disbursements of an advance (tranches), their closing and reversal."""

import datetime

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from alize.formatting import euros, french_date
from alize.services.common import create_validated, save_validated
from avances.models import (
    Advance,
    Allocation,
    Disbursement,
    MovementKind,
    Schedule,
    ScheduleKind,
)
from avances.models.advances import POSITIVE_AMOUNT_MESSAGE
from avances.services.common import (
    active_schedule,
    advance_totals,
    as_amount,
    first_due_date,
    lock_advance,
    not_in_future,
    refuse_written_off,
    require_operator,
)
from avances.services.fund import lock_fund, record_movement
from avances.services.reversal import lock_for_reversal, mark_reversed
from avances.services.schedules import new_schedule


@transaction.atomic
def sign_contract(*, advance: Advance, signed_on: datetime.date, by) -> Advance:
    """Record the date the SME signed the advance's contract (changeable until the first
    disbursement, never before the decision)."""
    require_operator(by, advance.basin_id)
    not_in_future(signed_on, "contract_signed_on")
    with pghistory.context(user=by.pk):
        advance = lock_advance(advance)
        refuse_written_off(advance, "son contrat ne change plus.")
        if advance.disbursements.not_reversed().exists():
            raise ValidationError("L'avance est déjà versée : la date du contrat ne change plus.")
        if signed_on < advance.decision_date:
            raise ValidationError(
                {
                    "contract_signed_on": (
                        "Le contrat se signe après la décision d'octroi "
                        f"({french_date(advance.decision_date)})."
                    )
                }
            )
        save_validated(advance, contract_signed_on=signed_on, update_fields=["contract_signed_on"])
    return advance


def _lock_to_disburse(
    advance: Advance, by, day: datetime.date, field: str, written_off: str
) -> Advance:
    """The advance, for its operator staff, at a `day` (`field`) not to come, read again
    under the locks of its fund then its row; refused once written off (`written_off`)."""
    require_operator(by, advance.basin_id)
    not_in_future(day, field)
    lock_fund(advance.basin_id)
    advance = lock_advance(advance)
    refuse_written_off(advance, written_off)
    return advance


@transaction.atomic
def disburse_advance(
    *, advance: Advance, disbursed_on: datetime.date, by, amount=None
) -> Disbursement:
    """Pay out a tranche of the advance (by default all that remains to pay out).

    The first tranche generates the schedule from its date with the advance's terms. A
    later tranche is accepted until the first instalment falls due: it makes a new
    version of the schedule, on the same dates, for the whole principal then outstanding.
    After that (or after a rescheduling) the rest is no longer paid out: close it with
    `close_disbursements`. Refused: no signed contract, a date before the signature or the
    previous tranche, a total above the amount granted, a written-off or closed advance.
    """
    with pghistory.context(user=by.pk):
        advance = _lock_to_disburse(
            advance, by, disbursed_on, "disbursed_on", "plus aucun versement n'est possible."
        )
        if advance.disbursements_closed_on:
            raise ValidationError(
                f"Les versements de cette avance sont clos depuis le "
                f"{french_date(advance.disbursements_closed_on)}."
            )
        if advance.contract_signed_on is None:
            raise ValidationError(
                "Le contrat de l'avance n'est pas signé : enregistrez sa signature avant de "
                "verser l'avance."
            )
        if disbursed_on < advance.contract_signed_on:
            raise ValidationError(
                {
                    "disbursed_on": (
                        "Un versement ne peut précéder la signature du contrat "
                        f"({french_date(advance.contract_signed_on)})."
                    )
                }
            )
        disbursed, repaid = advance_totals(advance)
        amount = advance.amount - disbursed if amount is None else as_amount(amount)
        if amount <= 0:
            raise ValidationError({"amount": POSITIVE_AMOUNT_MESSAGE})
        if disbursed + amount > advance.amount:
            raise ValidationError(
                {
                    "amount": (
                        f"Ce versement porterait le total versé à {euros(disbursed + amount, 2)}, "
                        f"au-delà du montant accordé ({euros(advance.amount, 2)})."
                    )
                }
            )
        last = advance.disbursements.not_reversed().aggregate(d=Max("disbursed_on"))["d"]
        if last and disbursed_on < last:
            raise ValidationError(
                {
                    "disbursed_on": (
                        f"Un versement ne peut précéder la tranche déjà versée le "
                        f"{french_date(last)}."
                    )
                }
            )
        current = active_schedule(advance)
        if current is not None:
            if current.kind == ScheduleKind.RESCHEDULING:
                raise ValidationError(
                    "Cette avance a été rééchelonnée : le solde non versé ne l'est plus ; "
                    "clôturez les versements."
                )
            first_due = first_due_date(current)
            if disbursed_on >= first_due:
                raise ValidationError(
                    {
                        "disbursed_on": (
                            "Une nouvelle tranche se verse avant la première échéance "
                            f"({french_date(first_due)}) : au-delà, clôturez les versements "
                            "ou rééchelonnez l'avance."
                        )
                    }
                )
        disbursement = create_validated(
            Disbursement, advance=advance, disbursed_on=disbursed_on, amount=amount, recorded_by=by
        )
        record_movement(
            basin_id=advance.basin_id,
            kind=MovementKind.DISBURSEMENT,
            on=disbursed_on,
            amount=-amount,
            label=f"Versement de l'avance {advance.reference} – {advance.dossier.pme}",
            by=by,
            advance=advance,
            disbursement=disbursement,
        )
        if current is None:
            new_schedule(
                advance=advance,
                kind=ScheduleKind.INITIAL,
                starts_on=disbursed_on,
                principal=amount,
                duration_months=advance.duration_months,
                grace_months=advance.grace_months,
                frequency=advance.frequency,
                by=by,
            )
        else:
            new_schedule(
                advance=advance,
                kind=ScheduleKind.TRANCHE,
                starts_on=current.starts_on,
                principal=disbursed + amount - repaid,
                duration_months=current.duration_months,
                grace_months=current.grace_months,
                frequency=current.frequency,
                by=by,
                reason=f"Tranche de {euros(amount, 2)} versée le {french_date(disbursed_on)}.",
            )
    return disbursement


@transaction.atomic
def close_disbursements(*, advance: Advance, closed_on: datetime.date, by) -> Advance:
    """Give up paying out the rest of the advance: the fund no longer counts it committed."""
    with pghistory.context(user=by.pk):
        advance = _lock_to_disburse(
            advance, by, closed_on, "disbursements_closed_on", "ses versements sont déjà arrêtés."
        )
        if advance.disbursements_closed_on:
            raise ValidationError("Les versements de cette avance sont déjà clos.")
        disbursed, _ = advance_totals(advance)
        if disbursed >= advance.amount:
            raise ValidationError("Tout le montant accordé a été versé : rien n'est à clore.")
        last = advance.disbursements.not_reversed().aggregate(d=Max("disbursed_on"))["d"]
        if closed_on < (last or advance.decision_date):
            raise ValidationError(
                {"disbursements_closed_on": "La clôture suit la décision et le dernier versement."}
            )
        advance.disbursements_closed_on = closed_on
        advance.save(update_fields=["disbursements_closed_on"])
    return advance


@transaction.atomic
def reverse_disbursement(*, disbursement: Disbursement, reason: str, by) -> Disbursement:
    """Reverse a tranche recorded by mistake (wrong amount or date, never paid out): it is
    never deleted, it is marked reversed (who, when, why) and counts no more.

    Only the latest tranche still counted can be reversed, and only while nothing has been
    built on it: no payment allocated to the schedule it made, no rescheduling since. Its
    schedule is then withdrawn: the version in force before it takes effect again (a later
    tranche), or the advance has no schedule any more (the first tranche; it can be
    disbursed again). The fund's ledger gets a counter-movement of the same amount (in),
    dated the day of the reversal.

    Refused (French `ValidationError`): without a reason; a tranche already reversed, or
    not the latest; an advance written off; a payment allocated since (reverse it first)
    or a rescheduling since. `PermissionDenied` for anyone but the operator staff of the
    advance's basin. Locks the fund, then the advance.
    """
    with pghistory.context(user=by.pk):
        advance, disbursement, reason = lock_for_reversal(disbursement, reason=reason, by=by)
        latest = advance.disbursements.not_reversed().order_by("-disbursed_on", "-pk").first()
        if latest != disbursement:
            raise ValidationError(
                f"Seul le dernier versement de l'avance (celui du "
                f"{french_date(latest.disbursed_on)}) peut être annulé."
            )
        schedule = active_schedule(advance)
        if schedule.kind == ScheduleKind.RESCHEDULING:
            raise ValidationError(
                "L'avance a été rééchelonnée depuis ce versement : il ne peut plus être annulé."
            )
        if Allocation.objects.live().filter(instalment__schedule=schedule).exists():
            raise ValidationError(
                "Des remboursements ont été imputés sur l'échéancier né de ce versement : "
                "annulez-les d'abord s'ils sont eux aussi erronés, sinon le versement ne peut "
                "plus être annulé."
            )
        mark_reversed(disbursement, reason=reason, by=by)

        schedule.is_active = False
        schedule.save(update_fields=["is_active"])
        if schedule.replaces_id is not None:
            previous = Schedule.objects.get(pk=schedule.replaces_id)
            previous.is_active = True
            previous.save(update_fields=["is_active"])
        record_movement(
            basin_id=advance.basin_id,
            kind=MovementKind.DISBURSEMENT_REVERSAL,
            on=timezone.localdate(),
            amount=disbursement.amount,
            label=(
                f"Annulation du versement du {french_date(disbursement.disbursed_on)} de "
                f"l'avance {advance.reference} – {advance.dossier.pme}"
            ),
            by=by,
            advance=advance,
            reversed_disbursement=disbursement,
        )
    return disbursement
