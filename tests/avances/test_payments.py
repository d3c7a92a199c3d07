"""Repayments: allocation to the oldest instalment first, partial, early and overpayments,
refusals, and rescheduling."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from alize.formatting import euros
from alize.forms import parse_euros
from alize.models import Role
from avances.models import (
    Advance,
    Allocation,
    FundMovement,
    Instalment,
    MovementKind,
    Payment,
    PaymentMeans,
    Schedule,
    ScheduleKind,
)
from avances.services import record_payment, reschedule_advance
from tests.avances.factories import AdvanceFactory
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def advance(basin):
    """10,000 € disbursed on 16 April 2007: 29 × 333.33 € then 333.43 €, from 16/11/2007."""
    return AdvanceFactory(basin=basin, disbursed=True)


def paid_by_instalment(advance) -> list[Decimal]:
    return [
        i.paid
        for i in Instalment.objects.filter(schedule__advance=advance, schedule__is_active=True)
        .with_paid()
        .order_by("number")
    ]


def pay(advance, by, day, amount, **kwargs):
    # The amount as staff type it, read as the payment form reads it (services take Decimal).
    return record_payment(advance=advance, paid_on=day, amount=parse_euros(amount), by=by, **kwargs)


def test_a_payment_settles_the_oldest_instalment_due(advance, staff):
    payment = pay(advance, staff, D(2007, 11, 16), "333,33", means=PaymentMeans.DIRECT_DEBIT)

    assert payment.means == PaymentMeans.DIRECT_DEBIT
    paid = paid_by_instalment(advance)
    assert paid[0] == Decimal("333.33")
    assert set(paid[1:]) == {Decimal("0.00")}
    movement = FundMovement.objects.get(payment=payment)
    assert (movement.kind, movement.amount) == (MovementKind.REPAYMENT, Decimal("333.33"))


def test_partial_payments_leave_an_instalment_partly_paid_then_complete_it(advance, staff):
    pay(advance, staff, D(2007, 11, 20), "200")
    assert paid_by_instalment(advance)[:2] == [Decimal("200.00"), Decimal("0.00")]

    second = pay(advance, staff, D(2007, 12, 17), "400")

    assert paid_by_instalment(advance)[:3] == [
        Decimal("333.33"),
        Decimal("266.67"),
        Decimal("0.00"),
    ]
    # The second payment first completed the first instalment.
    assert [(a.instalment.number, a.amount) for a in second.allocations.order_by("pk")] == [
        (1, Decimal("133.33")),
        (2, Decimal("266.67")),
    ]


def test_a_late_payment_goes_to_the_oldest_unpaid_instalment(advance, staff):
    # Nothing paid in November and December; a payment in January covers November first.
    pay(advance, staff, D(2008, 1, 20), "333,33")
    assert paid_by_instalment(advance)[:3] == [
        Decimal("333.33"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]


def test_an_early_payment_settles_the_next_instalments_ahead_of_time(advance, staff):
    # During the grace period, before anything is due.
    pay(advance, staff, D(2007, 6, 1), "1 000,00")

    paid = paid_by_instalment(advance)
    assert paid[:4] == [Decimal("333.33"), Decimal("333.33"), Decimal("333.33"), Decimal("0.01")]
    assert sum(paid) == Decimal("1000.00")
    # The schedule itself is unchanged: nothing is due on the dates settled ahead.
    assert Schedule.objects.filter(advance=advance).count() == 1


def test_the_whole_outstanding_can_be_repaid_early_but_not_a_cent_more(advance, staff):
    pay(advance, staff, D(2008, 1, 5), "4 000")

    with pytest.raises(ValidationError) as refusal:
        pay(advance, staff, D(2008, 2, 5), "6 000,01")

    assert refusal.value.message_dict["amount"] == [
        f"Ce paiement de {euros(Decimal('6000.01'), 2)} dépasse le capital restant dû "
        f"({euros(Decimal('6000'), 2)}) : un trop-perçu n'est pas enregistré. "
        f"Enregistrez {euros(Decimal('6000'), 2)} et reversez la différence à l'entreprise."
    ]
    assert Payment.objects.count() == 1

    pay(advance, staff, D(2008, 2, 5), "6 000,00")
    assert set(paid_by_instalment(advance)) == {Decimal("333.33"), Decimal("333.43")}
    assert Advance.objects.repaid().filter(pk=advance.pk).exists()


def test_allocations_always_add_up_to_the_payments(advance, staff):
    for day, amount in [
        (D(2007, 11, 16), "100"),
        (D(2007, 12, 1), "999,99"),
        (D(2008, 3, 3), "0,01"),
        (D(2008, 5, 16), "2 500,50"),
    ]:
        pay(advance, staff, day, amount)
    paid = Payment.objects.aggregate(t=Sum("amount"))["t"]
    allocated = Allocation.objects.aggregate(t=Sum("amount"))["t"]
    assert paid == allocated == Decimal("3600.50")
    for instalment in Instalment.objects.with_paid():
        assert instalment.paid <= instalment.amount


@pytest.mark.parametrize("amount", ["0", "0,00", "-10", Decimal("-333.33")])
def test_zero_or_negative_payments_are_refused(advance, staff, amount):
    with pytest.raises(ValidationError) as refusal:
        pay(advance, staff, D(2007, 11, 16), amount)
    assert refusal.value.message_dict["amount"] == ["Le montant doit être strictement positif."]
    assert not Payment.objects.exists()


def test_a_payment_before_disbursement_is_refused(basin, staff):
    advance = AdvanceFactory(basin=basin, signed=True)
    with pytest.raises(ValidationError) as refusal:
        pay(advance, staff, D(2007, 5, 1), "100")
    assert refusal.value.messages == [
        "Cette avance n'a pas encore été versée : aucun remboursement ne peut être enregistré."
    ]


def test_a_payment_dated_before_the_first_disbursement_is_refused(advance, staff):
    with pytest.raises(ValidationError) as refusal:
        pay(advance, staff, D(2007, 4, 15), "100")
    assert refusal.value.message_dict["paid_on"] == [
        "Le paiement du 15/04/2007 précède le premier versement de l'avance (16/04/2007)."
    ]


def test_a_payment_on_a_written_off_advance_is_refused(basin, staff):
    advance = AdvanceFactory(basin=basin, written_off=True)
    with pytest.raises(ValidationError) as refusal:
        pay(advance, staff, D(2009, 7, 1), "100")
    assert refusal.value.messages == [
        "Cette avance est passée en perte le 30/06/2009 : aucun remboursement ne peut plus y "
        "être enregistré."
    ]
    assert not Payment.objects.exists()


def test_a_payment_in_the_future_is_refused(advance, staff):
    with pytest.raises(ValidationError) as refusal:
        pay(advance, staff, D(2999, 1, 1), "100")
    assert refusal.value.message_dict["paid_on"] == [
        "Un paiement ne peut pas être daté dans le futur."
    ]


def test_only_operators_of_the_basin_record_payments(advance, other_basin):
    with pytest.raises(PermissionDenied):
        pay(advance, make_user(Role.STAFF, other_basin), D(2007, 11, 16), "100")
    with pytest.raises(PermissionDenied):
        pay(advance, make_user(Role.STEERING, advance.basin), D(2007, 11, 16), "100")


# --- Rescheduling ------------------------------------------------------------------------


def test_rescheduling_spreads_the_outstanding_on_a_new_schedule_and_keeps_the_old(
    advance, staff, manager
):
    pay(advance, staff, D(2007, 11, 16), "333,33")
    pay(advance, staff, D(2007, 12, 17), "333,33")
    # Nothing paid from January to June 2008: 6 instalments late.
    schedule = reschedule_advance(
        advance=advance,
        from_date=D(2008, 7, 1),
        duration_months=24,
        grace_months=3,
        reason="Perte d'un client important ; plan de redressement présenté au comité.",
        by=manager,
    )

    assert (schedule.version, schedule.kind, schedule.is_active) == (
        2,
        ScheduleKind.RESCHEDULING,
        True,
    )
    assert schedule.principal == Decimal("9333.34")
    instalments = list(schedule.instalments.order_by("number"))
    assert len(instalments) == 21
    assert sum(i.amount for i in instalments) == Decimal("9333.34")
    assert instalments[0].due_date == D(2008, 11, 1)
    old = Schedule.objects.get(advance=advance, version=1)
    assert not old.is_active
    assert old.instalments.count() == 30
    assert Allocation.objects.filter(instalment__schedule=old).count() == 2
    assert Advance.objects.rescheduled().filter(pk=advance.pk).exists()
    # Late no more: the new schedule's first instalment is due in November.
    late = Advance.objects.with_days_late(D(2008, 10, 1)).get(pk=advance.pk)
    assert late.days_late == 0

    payment = pay(advance, staff, D(2008, 11, 3), "444,44")
    assert payment.allocations.get().instalment.schedule == schedule


def test_a_payment_dated_before_the_rescheduling_is_refused(advance, manager, staff):
    reschedule_advance(
        advance=advance,
        from_date=D(2008, 7, 1),
        duration_months=24,
        grace_months=0,
        reason="Difficultés passagères.",
        by=manager,
    )
    with pytest.raises(ValidationError) as refusal:
        pay(advance, staff, D(2008, 6, 30), "100")
    assert refusal.value.message_dict["paid_on"][0].startswith(
        "Le paiement du 30/06/2008 précède le rééchelonnement de l'avance"
    )


def test_rescheduling_is_a_managers_decision_with_a_reason(advance, staff, manager):
    with pytest.raises(PermissionDenied):
        reschedule_advance(
            advance=advance,
            from_date=D(2008, 7, 1),
            duration_months=24,
            grace_months=0,
            reason="x",
            by=staff,
        )
    with pytest.raises(ValidationError) as refusal:
        reschedule_advance(
            advance=advance,
            from_date=D(2008, 7, 1),
            duration_months=24,
            grace_months=13,
            reason="  ",
            by=manager,
        )
    assert "reason" in refusal.value.message_dict
    with pytest.raises(ValidationError) as refusal:
        reschedule_advance(
            advance=advance,
            from_date=D(2008, 7, 1),
            duration_months=24,
            grace_months=13,
            reason="Difficultés.",
            by=manager,
        )
    assert refusal.value.message_dict["grace_months"] == [
        "Le différé de remboursement va de 0 à 12 mois."
    ]
    assert Schedule.objects.filter(advance=advance).count() == 1
