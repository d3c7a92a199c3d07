"""Reversing a payment recorded by mistake: kept and marked, allocations undone and redone
oldest first, the fund's ledger countered, the figures and the refusals; and reversing the
latest tranche of an advance while nothing was built on it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from alize.forms import parse_euros
from alize.models import Role
from avances.models import (
    Advance,
    Allocation,
    Disbursement,
    FundMovement,
    Instalment,
    MovementKind,
    Payment,
    Schedule,
    ScheduleKind,
)
from avances.selectors import fund_balance
from avances.services import (
    disburse_advance,
    record_payment,
    reschedule_advance,
    reverse_disbursement,
    reverse_payment,
)
from tests.avances.factories import AdvanceFactory
from tests.avances.test_concurrency import run_together, slow_down
from tests.conftest import make_user

D = datetime.date
REASON = "Chèque rejeté par la banque (sans provision)."


def paid_by_instalment(advance) -> list[Decimal]:
    return [
        i.paid
        for i in Instalment.objects.filter(schedule__advance=advance, schedule__is_active=True)
        .with_paid()
        .order_by("number")
    ]


def pay(advance, by, day, amount):
    # The amount as staff type it, read as the payment form reads it (services take Decimal).
    return record_payment(advance=advance, paid_on=day, amount=parse_euros(amount), by=by)


def allocations_of(payment) -> list[tuple[int, Decimal]]:
    return [
        (a.instalment.number, a.amount)
        for a in payment.allocations.live().select_related("instalment").order_by("pk")
    ]


@pytest.fixture
def advance(basin):
    """10,000 € disbursed on 16 April 2007: 29 × 333.33 € then 333.43 €, from 16/11/2007."""
    return AdvanceFactory(basin=basin, disbursed=True)


@pytest.fixture
def three_payments(advance, staff):
    """333.33 € on 16/11/2007, 333.33 € on 16/12/2007, 500 € on 16/01/2008."""
    return [
        pay(advance, staff, D(2007, 11, 16), "333,33"),
        pay(advance, staff, D(2007, 12, 16), "333,33"),
        pay(advance, staff, D(2008, 1, 16), "500"),
    ]


@pytest.mark.django_db
def test_a_reversed_payment_is_kept_marked_and_the_others_are_allocated_again(
    advance, staff, three_payments
):
    first, second, third = three_payments
    assert allocations_of(third) == [(3, Decimal("333.33")), (4, Decimal("166.67"))]

    reversed_payment = reverse_payment(payment=second, reason=f"  {REASON} ", by=staff)

    second.refresh_from_db()
    assert reversed_payment.pk == second.pk
    assert second.is_reversed
    assert second.reversed_by == staff
    assert second.reversal_reason == REASON
    assert second.amount == Decimal("333.33")  # kept as it was recorded
    assert Payment.objects.count() == 3
    assert list(Payment.objects.not_reversed().order_by("pk")) == [first, third]
    # The instalments are settled as if the mistaken payment had never been recorded.
    assert paid_by_instalment(advance)[:4] == [
        Decimal("333.33"),
        Decimal("333.33"),
        Decimal("166.67"),
        Decimal("0.00"),
    ]
    assert allocations_of(first) == [(1, Decimal("333.33"))]
    assert allocations_of(second) == []
    assert allocations_of(third) == [(2, Decimal("333.33")), (3, Decimal("166.67"))]
    # The old allocations stay, marked undone by this reversal.
    undone = Allocation.objects.filter(undone_by=second)
    assert undone.count() == 4
    assert undone.aggregate(t=Sum("amount"))["t"] == Decimal("1166.66")
    assert Allocation.objects.live().aggregate(t=Sum("amount"))["t"] == Decimal("833.33")

    balances = Advance.objects.with_balances().get(pk=advance.pk)
    assert (balances.repaid, balances.outstanding) == (Decimal("833.33"), Decimal("9166.67"))


@pytest.mark.django_db
def test_the_fund_ledger_gets_the_counter_movement_and_still_reconciles(
    advance, staff, three_payments
):
    before = fund_balance(advance.basin_id)
    second = three_payments[1]

    reverse_payment(payment=second, reason=REASON, by=staff)

    movement = FundMovement.objects.get(reversed_payment=second)
    assert movement.kind == MovementKind.REPAYMENT_REVERSAL
    assert movement.amount == Decimal("-333.33")
    assert movement.on == timezone.localdate()
    assert movement.advance == advance
    assert "Annulation du remboursement du 16/12/2007" in movement.label
    # The original repayment line stays: the ledger is never rewritten.
    assert FundMovement.objects.get(payment=second).amount == Decimal("333.33")
    after = fund_balance(advance.basin_id)
    assert after.cash == before.cash - Decimal("333.33")
    assert after.repayments == Decimal("833.33")
    repaid = Payment.objects.not_reversed().aggregate(t=Sum("amount"))["t"]
    ledger = FundMovement.objects.filter(
        kind__in=[MovementKind.REPAYMENT, MovementKind.REPAYMENT_REVERSAL]
    ).aggregate(t=Sum("amount"))["t"]
    assert repaid == ledger == Decimal("833.33")


@pytest.mark.django_db
def test_after_a_reversal_the_right_payment_is_recorded_as_usual(advance, staff, three_payments):
    reverse_payment(
        payment=three_payments[2], reason="Montant saisi 500 € au lieu de 50 €.", by=staff
    )

    right = pay(advance, staff, D(2008, 1, 16), "50")

    assert allocations_of(right) == [(3, Decimal("50.00"))]
    assert paid_by_instalment(advance)[:4] == [
        Decimal("333.33"),
        Decimal("333.33"),
        Decimal("50.00"),
        Decimal("0.00"),
    ]


@pytest.mark.django_db
def test_reversing_the_only_payment_leaves_nothing_paid(advance, staff):
    payment = pay(advance, staff, D(2007, 6, 1), "1 000")

    reverse_payment(payment=payment, reason="Saisi sur la mauvaise avance.", by=staff)

    assert set(paid_by_instalment(advance)) == {Decimal("0.00")}
    assert not Allocation.objects.live().exists()
    figures = Advance.objects.filter(pk=advance.pk).indicators(D(2008, 3, 1))
    assert figures["repaid"] == Decimal("0.00")
    assert figures["outstanding"] == Decimal("10000.00")
    assert figures["repayment_rate"] == Decimal("0.00")


@pytest.mark.django_db
def test_indicators_do_not_count_reversed_payments(advance, staff, three_payments):
    reverse_payment(payment=three_payments[0], reason=REASON, by=staff)

    figures = Advance.objects.filter(pk=advance.pk).indicators(D(2008, 3, 1))

    # Due on 1 March 2008: four instalments, 1,333.32 €; collected 833.33 €.
    assert figures["repaid"] == Decimal("833.33")
    assert figures["outstanding"] == Decimal("9166.67")
    assert figures["repayment_rate"] == Decimal("62.50")


@pytest.mark.django_db
def test_a_payment_cannot_be_reversed_twice(advance, staff, manager, three_payments):
    reverse_payment(payment=three_payments[0], reason=REASON, by=staff)

    with pytest.raises(ValidationError) as refusal:
        reverse_payment(payment=three_payments[0], reason="Encore", by=manager)

    assert refusal.value.messages[0].startswith(
        f"Ce remboursement a déjà été annulé le {timezone.localdate():%d/%m/%Y} par"
    )
    assert FundMovement.objects.filter(kind=MovementKind.REPAYMENT_REVERSAL).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reversal_needs_a_reason(advance, staff, three_payments, reason):
    with pytest.raises(ValidationError) as refusal:
        reverse_payment(payment=three_payments[0], reason=reason, by=staff)

    assert refusal.value.message_dict == {"reason": ["Indiquez le motif de l'annulation."]}
    assert not Payment.objects.reversed().exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STEERING, Role.COMMITTEE_MEMBER, Role.FUNDER, None])
def test_only_the_basins_operators_reverse_a_payment(
    advance, staff, three_payments, basin, other_basin, role
):
    outsiders = [make_user(Role.STAFF, other_basin), make_user(role, basin)]
    for outsider in outsiders:
        with pytest.raises(PermissionDenied) as refusal:
            reverse_payment(payment=three_payments[0], reason=REASON, by=outsider)
        assert str(refusal.value) == (
            "Seul le personnel de l'opérateur du bassin annule un remboursement."
        )
    assert not Payment.objects.reversed().exists()
    assert Allocation.objects.live().count() == 4


@pytest.mark.django_db
def test_no_reversal_on_a_written_off_advance(basin, staff):
    advance = AdvanceFactory(basin=basin, disbursed=True, paid_instalments=2)
    payment = Payment.objects.filter(advance=advance).first()
    from avances.services import approve_write_off, request_write_off

    request = request_write_off(advance=advance, reason="Liquidation judiciaire.", by=staff)
    approve_write_off(write_off=request, by=make_user(Role.MANAGER, basin), on=D(2009, 6, 30))

    with pytest.raises(ValidationError) as refusal:
        reverse_payment(payment=payment, reason=REASON, by=staff)

    assert refusal.value.messages == [
        "Cette avance est passée en perte le 30/06/2009 : ses remboursements ne s'annulent "
        "plus (la perte a été calculée avec eux)."
    ]


@pytest.mark.django_db
def test_no_reversal_of_a_payment_the_rescheduling_already_counted(advance, staff, manager):
    before = pay(advance, staff, D(2007, 11, 16), "333,33")
    reschedule_advance(
        advance=advance,
        from_date=D(2008, 6, 1),
        duration_months=24,
        grace_months=0,
        reason="Difficultés passagères de trésorerie.",
        by=manager,
    )
    after = pay(advance, staff, D(2008, 7, 1), "400")

    with pytest.raises(ValidationError) as refusal:
        reverse_payment(payment=before, reason=REASON, by=staff)
    assert "imputé sur un échéancier remplacé depuis" in refusal.value.messages[0]

    # A payment on the schedule in force is reversed as usual.
    reverse_payment(payment=after, reason=REASON, by=staff)
    assert set(paid_by_instalment(advance)) == {Decimal("0.00")}
    balances = Advance.objects.with_balances().get(pk=advance.pk)
    assert balances.outstanding == Decimal("9666.67")


@pytest.mark.django_db
def test_the_database_refuses_to_change_or_delete_a_payment_or_an_allocation(
    advance, staff, three_payments
):
    first = three_payments[0]
    with pytest.raises(Exception, match="payment_record_read_only"), transaction.atomic():
        Payment.objects.filter(pk=first.pk).update(amount=Decimal("1.00"))
    # Past Django's PROTECT, straight to the table.
    with (
        pytest.raises(Exception, match="payment_never_deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM avances_payment WHERE id = %s", [first.pk])
    with pytest.raises(Exception, match="allocation_never_deleted"), transaction.atomic():
        Allocation.objects.filter(payment=first).delete()

    reverse_payment(payment=first, reason=REASON, by=staff)
    # A reversal is final: it cannot be taken back by hand.
    with pytest.raises(Exception, match="payment_reversal_final"), transaction.atomic():
        Payment.objects.filter(pk=first.pk).update(reversal_reason="autre")
    with pytest.raises(Exception, match="allocation_undone_final"), transaction.atomic():
        Allocation.objects.filter(undone_by=first).update(undone_by=None)
    # Without who, when and why, there is no reversal.
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=three_payments[1].pk).update(reversed_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_reversing_and_paying_at_the_same_time_keeps_a_consistent_allocation(monkeypatch):
    advance = AdvanceFactory(disbursed=True)
    alice, bob = make_user(Role.STAFF, advance.basin), make_user(Role.STAFF, advance.basin)
    first = pay(advance, alice, D(2007, 11, 16), "333,33")
    pay(advance, alice, D(2007, 12, 16), "333,33")
    slow_down(monkeypatch, Payment)

    outcomes = run_together(
        lambda: reverse_payment(payment=first, reason=REASON, by=alice),
        lambda: record_payment(
            advance=Advance.objects.get(pk=advance.pk),
            paid_on=D(2008, 1, 16),
            amount=Decimal("500"),
            by=bob,
        ),
    )
    connection.close()

    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    # Whichever came first: 833.33 € counted, settled in order and never beyond.
    assert paid_by_instalment(advance)[:4] == [
        Decimal("333.33"),
        Decimal("333.33"),
        Decimal("166.67"),
        Decimal("0.00"),
    ]
    live = Allocation.objects.live().filter(payment__advance=advance)
    assert live.aggregate(t=Sum("amount"))["t"] == Decimal("833.33")
    assert not live.filter(payment=first).exists()
    for payment in Payment.objects.not_reversed():
        assert payment.allocations.live().aggregate(t=Sum("amount"))["t"] == payment.amount
    assert fund_balance(advance.basin_id).repayments == Decimal("833.33")


# --- Reversing a disbursement -----------------------------------------------------------------


@pytest.fixture
def signed(basin):
    """10,000 € granted, contract signed on 2 April 2007, nothing paid out yet."""
    return AdvanceFactory(basin=basin, signed=True)


def active_schedule(advance):
    return Schedule.objects.filter(advance=advance, is_active=True).first()


@pytest.mark.django_db
def test_reversing_the_only_tranche_withdraws_the_schedule(signed, staff):
    before = fund_balance(signed.basin_id)
    tranche = disburse_advance(advance=signed, disbursed_on=D(2007, 4, 16), by=staff)

    reverse_disbursement(disbursement=tranche, reason="Virement saisi en double.", by=staff)

    tranche.refresh_from_db()
    assert tranche.is_reversed
    assert (tranche.reversed_by, tranche.reversal_reason) == (staff, "Virement saisi en double.")
    assert active_schedule(signed) is None
    assert Schedule.objects.filter(advance=signed).count() == 1  # kept, inactive
    assert Advance.objects.not_disbursed().filter(pk=signed.pk).exists()
    balances = Advance.objects.with_balances().get(pk=signed.pk)
    assert (balances.disbursed, balances.undisbursed) == (Decimal("0.00"), Decimal("10000.00"))
    movement = FundMovement.objects.get(reversed_disbursement=tranche)
    assert (movement.kind, movement.amount) == (
        MovementKind.DISBURSEMENT_REVERSAL,
        Decimal("10000.00"),
    )
    after = fund_balance(signed.basin_id)
    assert (after.cash, after.committed, after.available) == (
        before.cash,
        before.committed,
        before.available,
    )
    assert after.disbursements == Decimal("0.00")
    with pytest.raises(ValidationError):
        record_payment(advance=signed, paid_on=D(2007, 11, 16), amount=Decimal("10"), by=staff)

    # Paid out again, on the right day: a new schedule from that day.
    disburse_advance(advance=signed, disbursed_on=D(2007, 5, 2), by=staff)
    schedule = active_schedule(signed)
    assert (schedule.version, schedule.kind, schedule.starts_on) == (
        2,
        ScheduleKind.INITIAL,
        D(2007, 5, 2),
    )
    assert schedule.replaces is None


@pytest.mark.django_db
def test_reversing_a_later_tranche_brings_back_the_schedule_before_it(signed, staff):
    disburse_advance(advance=signed, disbursed_on=D(2007, 4, 16), by=staff, amount=Decimal("6000"))
    first_schedule = active_schedule(signed)
    pay(signed, staff, D(2007, 5, 10), "100")  # an early payment, on the first schedule
    second = disburse_advance(
        advance=signed, disbursed_on=D(2007, 6, 1), by=staff, amount=Decimal("4000")
    )
    assert active_schedule(signed).replaces == first_schedule

    reverse_disbursement(disbursement=second, reason="Montant erroné.", by=staff)

    assert active_schedule(signed) == first_schedule
    assert paid_by_instalment(signed)[:2] == [Decimal("100.00"), Decimal("0.00")]
    balances = Advance.objects.with_balances().get(pk=signed.pk)
    assert (balances.disbursed, balances.outstanding) == (Decimal("6000.00"), Decimal("5900.00"))
    remaining = sum(
        i.remaining for i in Instalment.objects.filter(schedule=first_schedule).with_paid()
    )
    assert remaining == Decimal("5900.00")

    # The right tranche, then its reversal again: the first schedule each time.
    third = disburse_advance(
        advance=signed, disbursed_on=D(2007, 6, 2), by=staff, amount=Decimal("400")
    )
    assert active_schedule(signed).version == 3
    reverse_disbursement(disbursement=third, reason="Encore une erreur.", by=staff)
    assert active_schedule(signed) == first_schedule


@pytest.mark.django_db
def test_a_tranche_with_payments_after_it_is_not_reversed(signed, staff, manager):
    tranche = disburse_advance(advance=signed, disbursed_on=D(2007, 4, 16), by=staff)
    payment = pay(signed, staff, D(2007, 11, 16), "333,33")

    with pytest.raises(ValidationError) as refusal:
        reverse_disbursement(disbursement=tranche, reason="Erreur.", by=staff)
    assert refusal.value.messages[0].startswith(
        "Des remboursements ont été imputés sur l'échéancier né de ce versement"
    )

    # Once the payment is reversed too, the tranche can be.
    reverse_payment(payment=payment, reason="Erreur.", by=staff)
    reverse_disbursement(disbursement=tranche, reason="Erreur.", by=staff)
    assert active_schedule(signed) is None
    after = fund_balance(signed.basin_id)
    assert (after.repayments, after.disbursements) == (Decimal("0.00"), Decimal("0.00"))


@pytest.mark.django_db
def test_disbursement_reversal_refusals(signed, staff, manager, other_basin):
    first = disburse_advance(
        advance=signed, disbursed_on=D(2007, 4, 16), by=staff, amount=Decimal("6000")
    )
    second = disburse_advance(
        advance=signed, disbursed_on=D(2007, 6, 1), by=staff, amount=Decimal("1000")
    )

    with pytest.raises(ValidationError) as refusal:
        reverse_disbursement(disbursement=first, reason="Erreur.", by=staff)
    assert refusal.value.messages == [
        "Seul le dernier versement de l'avance (celui du 01/06/2007) peut être annulé."
    ]
    with pytest.raises(ValidationError) as refusal:
        reverse_disbursement(disbursement=second, reason=" ", by=staff)
    assert refusal.value.message_dict == {"reason": ["Indiquez le motif de l'annulation."]}
    with pytest.raises(PermissionDenied):
        reverse_disbursement(
            disbursement=second, reason="Erreur.", by=make_user(Role.STAFF, other_basin)
        )

    reverse_disbursement(disbursement=second, reason="Erreur.", by=staff)
    with pytest.raises(ValidationError) as refusal:
        reverse_disbursement(disbursement=second, reason="Erreur.", by=staff)
    assert refusal.value.messages[0].startswith("Ce versement a déjà été annulé le ")

    reschedule_advance(
        advance=signed,
        from_date=D(2008, 1, 1),
        duration_months=24,
        grace_months=0,
        reason="Difficultés.",
        by=manager,
    )
    with pytest.raises(ValidationError) as refusal:
        reverse_disbursement(disbursement=first, reason="Erreur.", by=staff)
    assert refusal.value.messages == [
        "L'avance a été rééchelonnée depuis ce versement : il ne peut plus être annulé."
    ]
    assert Disbursement.objects.reversed().count() == 1
