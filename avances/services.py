"""The writers of advances: grant, contract, disbursements, payments and their reversal,
rescheduling.

Each service takes keyword arguments only, checks who acts (`PermissionDenied`, French),
locks what it reads (the basin's fund first, then the dossier or the advance: always in
that order), validates, then saves, in one transaction under a pghistory context naming
the user. A refusal raises a French `ValidationError`; nothing is half-saved. Every
movement of money also writes its line in the fund's ledger (`avances.fund`).

How payments are allocated, and how early payments and overpayments are treated, is
written in `avances.models.payments`; the schedule's arithmetic in `avances.schedule`.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from alize.formatting import euros
from avances import permissions
from avances.deminimis import check_de_minimis, de_minimis_position, price_advance
from avances.fund import fund_settings, lock_fund, record_movement, refuse_beyond_available
from avances.models import (
    Advance,
    Allocation,
    Disbursement,
    Frequency,
    Instalment,
    MovementKind,
    Payment,
    PaymentMeans,
    Schedule,
    ScheduleKind,
)
from avances.models.advances import POSITIVE_AMOUNT_MESSAGE
from avances.models.common import ZERO
from avances.schedule import plan_schedule, terms_errors
from avances.values import as_amount, french_date
from pme.models import Dossier, DossierState

# The committee's approval comes first; the advance is granted on an approved dossier,
# or one already under support (an advance decided at a later session).
GRANTABLE_DOSSIER_STATES = frozenset({DossierState.APPROVED, DossierState.UNDER_SUPPORT})
FUTURE_DATE_MESSAGE = "La date ne peut pas être dans le futur."


def _require(allowed: bool, reason: str = "") -> None:
    if not allowed:
        raise PermissionDenied(reason or "Vous n'avez pas le droit de faire cette action.")


def _require_operator(by, basin_id: int) -> None:
    _require(
        permissions.can_manage_advances(by, basin_id),
        "Seul le personnel de l'opérateur du bassin gère ses avances.",
    )


def not_in_future(day: datetime.date | None, field: str) -> None:
    if day is None:
        raise ValidationError({field: "Indiquez la date."})
    if day > timezone.localdate():
        raise ValidationError({field: FUTURE_DATE_MESSAGE})


def lock_advance(advance: Advance) -> Advance:
    """The advance, read again under a row lock (call after `lock_fund` when both)."""
    return (
        Advance.objects.select_for_update(of=("self",))
        .select_related("basin", "dossier__pme")
        .get(pk=advance.pk)
    )


def refuse_written_off(advance: Advance, what: str) -> None:
    if advance.written_off_on:
        raise ValidationError(
            f"Cette avance est passée en perte le {french_date(advance.written_off_on)} : {what}"
        )


# --- Grant ------------------------------------------------------------------------------


@transaction.atomic
def grant_advance(
    *,
    decision,
    by,
    duration_months: int | None = None,
    grace_months: int | None = None,
    frequency: str | None = None,
    funding_convention=None,
) -> Advance:
    """Grant the repayable advance the approval committee decided: the only way an advance
    is born.

    `comites.services.record_decision` calls it in its own transaction, once the dossier
    is approved:

        grant_advance(
            decision=decision,                # comites.Decision, recorded: its dossier,
                                              # amount granted and date are the advance's
            by=secretary,                     # who recorded the decision
            duration_months=None,             # None: the basin's default (36), grace included
            grace_months=None,                # None: the basin's default (6), 0 to 12
            frequency=None,                   # None: the basin's default; Frequency.*
            funding_convention=None,          # grandes_entreprises.RevitalisationConvention
        ) -> Advance

    The decision is the authority: it must be recorded (the database accepts one only on
    a closed vote), by `by`; who may record it was checked by the committee's service.

    It locks the basin's fund, then the dossier, and refuses (French `ValidationError`,
    by field where there is one) an amount of zero or less, above the basin's cap in force
    at the decision date, above the amount the SME requested, or above what the fund has
    available (in − out − committed); a second advance on the dossier; terms out of range
    (duration 1–120 months including a grace of 0–12 months, whole quarters if quarterly);
    an SME whose de minimis aid over three years would pass 300,000 € with this advance's
    gross grant equivalent, or who made no de minimis declaration; a convention of another
    basin. The cap, the amount requested, the reference rate and the gross grant
    equivalent are copied onto the advance.
    """
    recorded = type(decision)._default_manager.filter(pk=decision.pk, recorded_by=by)
    if decision.pk is None or not recorded.exists():
        raise PermissionDenied(
            "Une avance s'accorde par la décision du comité d'agrément, enregistrée par "
            "la personne qui l'accorde."
        )
    dossier, amount, decision_date = (
        decision.item.dossier,
        decision.advance_granted,
        decision.decision_date,
    )
    basin_id = Dossier.objects.values_list("pme__commune__epci__basin_id", flat=True).get(
        pk=dossier.pk
    )
    amount = as_amount(amount)
    if amount <= 0:
        raise ValidationError({"amount": POSITIVE_AMOUNT_MESSAGE})
    not_in_future(decision_date, "decision_date")
    with pghistory.context(user=by.pk):
        settings = lock_fund(basin_id)
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("pme__commune__epci__basin")
            .get(pk=dossier.pk)
        )
        basin = dossier.pme.commune.epci.basin
        if dossier.state not in GRANTABLE_DOSSIER_STATES:
            raise ValidationError(
                "Une avance s'accorde sur un dossier agréé par le comité : ce dossier est "
                f"« {dossier.get_state_display()} »."
            )
        existing = Advance.objects.filter(dossier=dossier).values_list("reference", flat=True)
        if existing:
            raise ValidationError(
                f"Ce dossier a déjà une avance ({existing[0]}) : une seule avance par dossier."
            )
        if decision_date < dossier.orientation_date:
            raise ValidationError(
                {
                    "decision_date": (
                        "La décision ne peut précéder l'orientation de l'entreprise "
                        f"({french_date(dossier.orientation_date)})."
                    )
                }
            )
        duration_months = (
            settings.default_duration_months if duration_months is None else duration_months
        )
        grace_months = settings.default_grace_months if grace_months is None else grace_months
        frequency = frequency or settings.default_frequency
        if frequency not in Frequency.values:
            raise ValidationError({"frequency": "Périodicité inconnue."})
        errors = terms_errors(duration_months, grace_months, Frequency(frequency).months)
        if errors:
            raise ValidationError(errors)

        cap = basin.check_advance_cap(amount, decision_date)
        if amount > dossier.advance_requested:
            raise ValidationError(
                {
                    "amount": (
                        f"{euros(amount, 2)} dépasse le montant demandé par la PME "
                        f"({euros(dossier.advance_requested, 2)})."
                    )
                }
            )
        if funding_convention is not None:
            _check_convention(funding_convention, basin_id)

        rate, gge = price_advance(
            basin=basin,
            amount=amount,
            decision_date=decision_date,
            duration_months=duration_months,
            grace_months=grace_months,
            frequency=frequency,
        )
        check_de_minimis(de_minimis_position(pme=dossier.pme, day=decision_date, gge=gge))
        refuse_beyond_available(basin_id, amount)

        advance = Advance(
            reference=f"AV{decision_date:%Y}-{dossier.pk:05d}",
            dossier=dossier,
            basin=basin,
            amount=amount,
            requested_copied=dossier.advance_requested,
            cap_copied=cap,
            decision_date=decision_date,
            duration_months=duration_months,
            grace_months=grace_months,
            frequency=frequency,
            reference_rate_copied=rate,
            gross_grant_equivalent=gge,
            funding_convention=funding_convention,
            granted_by=by,
        )
        advance.full_clean()
        advance.save()
    return advance


def _check_convention(convention, basin_id: int) -> None:
    from grandes_entreprises.models import RevitalisationConvention

    convention = RevitalisationConvention.objects.select_related("corporation").get(
        pk=convention.pk
    )
    if convention.corporation.basin_id != basin_id:
        raise ValidationError(
            {"funding_convention": "Cette convention de revitalisation relève d'un autre bassin."}
        )
    if convention.without_convention:
        raise ValidationError(
            {
                "funding_convention": (
                    "Sans convention, l'entreprise verse sa contribution à l'État : elle ne "
                    "finance pas d'avance."
                )
            }
        )


# --- Contract and disbursements -------------------------------------------------------------


@transaction.atomic
def sign_contract(*, advance: Advance, signed_on: datetime.date, by) -> Advance:
    """Record the date the SME signed the advance's contract (changeable until the first
    disbursement, never before the decision)."""
    _require_operator(by, advance.basin_id)
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
        advance.contract_signed_on = signed_on
        advance.full_clean()
        advance.save(update_fields=["contract_signed_on"])
    return advance


def advance_totals(advance: Advance) -> tuple[Decimal, Decimal]:
    """(disbursed, repaid), reversed entries left out."""
    disbursed = advance.disbursements.not_reversed().aggregate(t=Sum("amount"))["t"] or ZERO
    repaid = advance.payments.not_reversed().aggregate(t=Sum("amount"))["t"] or ZERO
    return disbursed, repaid


def _active_schedule(advance: Advance) -> Schedule | None:
    return Schedule.objects.filter(advance=advance, is_active=True).first()


def _first_due_date(schedule: Schedule) -> datetime.date:
    return schedule.instalments.order_by("due_date", "number").values_list("due_date", flat=True)[0]


def _new_schedule(
    *,
    advance: Advance,
    kind: str,
    starts_on: datetime.date,
    principal: Decimal,
    duration_months: int,
    grace_months: int,
    frequency: str,
    by,
    reason: str = "",
) -> Schedule:
    """Replace the active schedule (kept, inactive) by a new version for `principal`."""
    current = _active_schedule(advance)
    if current is not None:
        current.is_active = False
        current.save(update_fields=["is_active"])
    last_version = Schedule.objects.filter(advance=advance).aggregate(v=Max("version"))["v"]
    schedule = Schedule(
        advance=advance,
        version=(last_version or 0) + 1,
        kind=kind,
        starts_on=starts_on,
        principal=principal,
        duration_months=duration_months,
        grace_months=grace_months,
        frequency=frequency,
        reason=reason,
        created_by=by,
        replaces=current,
    )
    schedule.full_clean()
    schedule.save()
    Instalment.objects.bulk_create(
        Instalment(
            schedule=schedule,
            number=planned.number,
            due_date=planned.due_date,
            amount=planned.amount,
        )
        for planned in plan_schedule(
            principal=principal,
            anchor=starts_on,
            duration_months=duration_months,
            grace_months=grace_months,
            period_months=Frequency(frequency).months,
        )
    )
    return schedule


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
    _require_operator(by, advance.basin_id)
    not_in_future(disbursed_on, "disbursed_on")
    with pghistory.context(user=by.pk):
        lock_fund(advance.basin_id)
        advance = lock_advance(advance)
        refuse_written_off(advance, "plus aucun versement n'est possible.")
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
        current = _active_schedule(advance)
        if current is not None:
            if current.kind == ScheduleKind.RESCHEDULING:
                raise ValidationError(
                    "Cette avance a été rééchelonnée : le solde non versé ne l'est plus ; "
                    "clôturez les versements."
                )
            first_due = _first_due_date(current)
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
        disbursement = Disbursement(
            advance=advance, disbursed_on=disbursed_on, amount=amount, recorded_by=by
        )
        disbursement.full_clean()
        disbursement.save()
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
            _new_schedule(
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
            _new_schedule(
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
    _require_operator(by, advance.basin_id)
    not_in_future(closed_on, "disbursements_closed_on")
    with pghistory.context(user=by.pk):
        lock_fund(advance.basin_id)
        advance = lock_advance(advance)
        refuse_written_off(advance, "ses versements sont déjà arrêtés.")
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
    schedule = _active_schedule(advance)
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
    _require_operator(by, advance.basin_id)
    amount = as_amount(amount)
    if paid_on is None:
        raise ValidationError({"paid_on": "Indiquez la date du paiement."})
    with pghistory.context(user=by.pk):
        lock_fund(advance.basin_id)
        advance = lock_advance(advance)
        errors = payment_errors(payment_state(advance), paid_on=paid_on, amount=amount)
        if errors:
            raise ValidationError(errors)
        payment = Payment(
            advance=advance,
            paid_on=paid_on,
            amount=amount,
            means=means,
            reference=reference,
            recorded_by=by,
        )
        payment.full_clean()
        payment.save()
        _allocate(payment, _active_schedule(advance))
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
    basin_id = Payment.objects.values_list("advance__basin_id", flat=True).get(pk=payment.pk)
    _require(
        permissions.can_manage_advances(by, basin_id),
        "Seul le personnel de l'opérateur du bassin annule un remboursement.",
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    with pghistory.context(user=by.pk):
        lock_fund(basin_id)
        advance = lock_advance(Advance(pk=payment.advance_id))
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("reversed_by")
            .get(pk=payment.pk)
        )
        if payment.reversed_at is not None:
            raise ValidationError(
                f"Ce remboursement a déjà été annulé le "
                f"{french_date(timezone.localdate(payment.reversed_at))} par "
                f"{payment.reversed_by} : « {payment.reversal_reason} »."
            )
        refuse_written_off(
            advance,
            "ses remboursements ne s'annulent plus (la perte a été calculée avec eux).",
        )
        schedule = _active_schedule(advance)
        live = Allocation.objects.live()
        if live.filter(payment=payment).exclude(instalment__schedule=schedule).exists():
            raise ValidationError(
                "Ce remboursement est imputé sur un échéancier remplacé depuis (nouvelle tranche "
                "ou rééchelonnement), dont le capital le comptait comme payé : il ne peut plus "
                "être annulé."
            )
        payment.reversed_at = timezone.now()
        payment.reversed_by = by
        payment.reversal_reason = reason
        payment.full_clean()
        payment.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])

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
    basin_id = Disbursement.objects.values_list("advance__basin_id", flat=True).get(
        pk=disbursement.pk
    )
    _require(
        permissions.can_manage_advances(by, basin_id),
        "Seul le personnel de l'opérateur du bassin annule un versement.",
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    with pghistory.context(user=by.pk):
        lock_fund(basin_id)
        advance = lock_advance(Advance(pk=disbursement.advance_id))
        disbursement = (
            Disbursement.objects.select_for_update(of=("self",))
            .select_related("reversed_by")
            .get(pk=disbursement.pk)
        )
        if disbursement.reversed_at is not None:
            raise ValidationError(
                f"Ce versement a déjà été annulé le "
                f"{french_date(timezone.localdate(disbursement.reversed_at))} par "
                f"{disbursement.reversed_by} : « {disbursement.reversal_reason} »."
            )
        refuse_written_off(advance, "ses versements ne s'annulent plus.")
        latest = advance.disbursements.not_reversed().order_by("-disbursed_on", "-pk").first()
        if latest != disbursement:
            raise ValidationError(
                f"Seul le dernier versement de l'avance (celui du "
                f"{french_date(latest.disbursed_on)}) peut être annulé."
            )
        schedule = _active_schedule(advance)
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
        disbursement.reversed_at = timezone.now()
        disbursement.reversed_by = by
        disbursement.reversal_reason = reason
        disbursement.full_clean()
        disbursement.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])

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


# --- Rescheduling -------------------------------------------------------------------------


@transaction.atomic
def reschedule_advance(
    *,
    advance: Advance,
    from_date: datetime.date,
    duration_months: int,
    grace_months: int,
    frequency: str | None = None,
    reason: str,
    by,
) -> Schedule:
    """Spread the principal outstanding again, from `from_date`, on new terms.

    The new schedule counts its instalments from `from_date` like a first disbursement
    (the duration includes the new grace period); the unpaid instalments due before are
    folded into it. The previous schedule stays, inactive, with its payments. `from_date`
    is not before the last payment, disbursement or schedule start, nor in the future.
    """
    allowed, refusal = permissions.can_reschedule(by, advance.basin_id)
    _require(allowed, refusal)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Indiquez le motif du rééchelonnement."})
    not_in_future(from_date, "from_date")
    with pghistory.context(user=by.pk):
        advance = lock_advance(advance)
        refuse_written_off(advance, "elle ne se rééchelonne plus.")
        current = _active_schedule(advance)
        if current is None:
            raise ValidationError(
                "Cette avance n'est pas encore versée : rien n'est à rééchelonner."
            )
        disbursed, repaid = advance_totals(advance)
        outstanding = disbursed - repaid
        if outstanding <= 0:
            raise ValidationError("Cette avance est entièrement remboursée.")
        frequency = frequency or current.frequency
        if frequency not in Frequency.values:
            raise ValidationError({"frequency": "Périodicité inconnue."})
        errors = terms_errors(duration_months, grace_months, Frequency(frequency).months)
        if errors:
            raise ValidationError(errors)
        last_payment = advance.payments.not_reversed().aggregate(d=Max("paid_on"))["d"]
        last_disbursement = advance.disbursements.not_reversed().aggregate(d=Max("disbursed_on"))[
            "d"
        ]
        earliest = max(d for d in (current.starts_on, last_payment, last_disbursement) if d)
        if from_date < earliest:
            raise ValidationError(
                {
                    "from_date": (
                        "Un rééchelonnement part au plus tôt du dernier versement, paiement ou "
                        f"échéancier ({french_date(earliest)})."
                    )
                }
            )
        return _new_schedule(
            advance=advance,
            kind=ScheduleKind.RESCHEDULING,
            starts_on=from_date,
            principal=outstanding,
            duration_months=duration_months,
            grace_months=grace_months,
            frequency=frequency,
            by=by,
            reason=reason.strip(),
        )


def default_terms(basin_id: int) -> dict:
    """The basin's default terms, for a form's initial values."""
    settings = fund_settings(basin_id)
    return {
        "duration_months": settings.default_duration_months,
        "grace_months": settings.default_grace_months,
        "frequency": settings.default_frequency,
    }


def outstanding_instalments(advance: Advance, *, before: datetime.date):
    """The active schedule's instalments due before `before` and not fully paid."""
    return (
        Instalment.objects.filter(schedule__advance=advance, schedule__is_active=True)
        .filter(due_date__lt=before)
        .unpaid()
        .order_by("due_date", "number")
    )
