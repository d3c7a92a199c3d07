"""The revolving fund: contributions in, disbursements out, repayments back in, committed
money set aside; the ledger reconciles to the cent."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from alize.models import Basin, Contribution, Role
from avances.models import Disbursement, FundMovement, MovementKind, Payment
from avances.selectors import fund_balance, with_fund_balances
from avances.services import (
    approve_write_off,
    close_disbursements,
    disburse_advance,
    record_payment,
    register_contribution,
    request_write_off,
    sign_contract,
)
from tests.alize.factories import ContributionFactory
from tests.avances.conftest import approved_dossier, fund, grant
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_ledger_reconciles_to_the_cent_after_a_scenario(basin, reference_rate, staff, manager):
    fund(basin, Decimal("30000.00"), by=staff)
    fund(basin, Decimal("12345.67"), by=staff)
    advances = [
        grant(approved_dossier(basin), amount, manager)
        for amount in (Decimal("15000.00"), Decimal("10000.00"), Decimal("9999.99"))
    ]
    first, second, third = advances
    for advance in advances:
        sign_contract(advance=advance, signed_on=D(2007, 4, 2), by=staff)
    disburse_advance(advance=first, disbursed_on=D(2007, 4, 16), by=staff)
    disburse_advance(advance=second, disbursed_on=D(2007, 4, 16), amount=Decimal("6000"), by=staff)
    disburse_advance(
        advance=second, disbursed_on=D(2007, 5, 2), amount=Decimal("2500.50"), by=staff
    )
    disburse_advance(advance=third, disbursed_on=D(2007, 5, 10), by=staff)
    record_payment(advance=first, paid_on=D(2007, 11, 16), amount=Decimal("500"), by=staff)
    record_payment(advance=first, paid_on=D(2007, 12, 17), amount=Decimal("1234.56"), by=staff)
    record_payment(advance=second, paid_on=D(2007, 11, 16), amount=Decimal("283.35"), by=staff)
    close_disbursements(advance=second, closed_on=D(2007, 12, 1), by=staff)
    request = request_write_off(advance=third, reason="Liquidation judiciaire.", by=staff)
    approve_write_off(write_off=request, by=make_user(Role.MANAGER, basin), on=D(2009, 1, 5))

    contributions = Decimal("42345.67")
    disbursed = Disbursement.objects.aggregate(t=Sum("amount"))["t"]
    repaid = Payment.objects.aggregate(t=Sum("amount"))["t"]
    assert disbursed == Decimal("15000.00") + Decimal("8500.50") + Decimal("9999.99")
    assert repaid == Decimal("2017.91")
    ledger = FundMovement.objects.filter(basin=basin).aggregate(t=Sum("amount"))["t"]
    assert ledger == contributions - disbursed + repaid == Decimal("10863.09")

    balance = fund_balance(basin.pk)
    assert balance.contributions == contributions
    assert balance.disbursements == disbursed
    assert balance.repayments == repaid
    assert balance.cash == ledger
    # Every advance is fully disbursed, closed or written off: nothing committed.
    assert balance.committed == Decimal("0.00")
    assert balance.available == ledger
    # One ledger line per contribution, tranche, payment; a memo line for the write-off.
    kinds = list(FundMovement.objects.values_list("kind", flat=True).order_by("pk"))
    assert kinds.count(MovementKind.CONTRIBUTION) == 2
    assert kinds.count(MovementKind.DISBURSEMENT) == 4
    assert kinds.count(MovementKind.REPAYMENT) == 3
    assert kinds.count(MovementKind.WRITE_OFF) == 1

    # Repayments are lent again: the next grant may use them, not a cent more.
    with pytest.raises(ValidationError):
        grant(approved_dossier(basin), Decimal("10863.10"), manager)
    grant(approved_dossier(basin), Decimal("10863.09"), manager)
    assert fund_balance(basin.pk).available == Decimal("0.00")


def test_committed_is_granted_minus_disbursed(basin, reference_rate, staff, manager):
    fund(basin, Decimal("50000.00"), by=staff)
    advance = grant(approved_dossier(basin), Decimal("15000.00"), manager)
    sign_contract(advance=advance, signed_on=D(2007, 4, 2), by=staff)
    disburse_advance(
        advance=advance, disbursed_on=D(2007, 4, 16), amount=Decimal("10000"), by=staff
    )

    balance = fund_balance(basin.pk)
    assert (balance.cash, balance.committed, balance.available) == (
        Decimal("40000.00"),
        Decimal("5000.00"),
        Decimal("35000.00"),
    )


def test_balances_of_several_basins_in_one_query(basin, other_basin, django_assert_num_queries):
    fund(basin, Decimal("1000.00"))
    fund(other_basin, Decimal("2000.00"))
    with django_assert_num_queries(1):
        rows = dict(with_fund_balances(Basin.objects.all()).values_list("slug", "available"))
    assert rows == {"valenciennois": Decimal("1000.00"), "comparaison": Decimal("2000.00")}


def test_what_enters_from_a_contribution_stays_within_its_earmarked_part(basin, staff):
    contribution = ContributionFactory(
        funder__basin=basin, committed=Decimal("45000"), earmarked_for_advances=Decimal("20000")
    )
    register_contribution(
        contribution=contribution, amount=Decimal("15000"), on=D(2007, 1, 5), by=staff
    )
    with pytest.raises(ValidationError) as refusal:
        register_contribution(
            contribution=contribution, amount=Decimal("5000.01"), on=D(2007, 6, 5), by=staff
        )
    assert "au-delà de sa part fléchée vers les avances" in refusal.value.message_dict["amount"][0]
    register_contribution(
        contribution=contribution, amount=Decimal("-1000"), on=D(2007, 6, 5), by=staff
    )
    assert fund_balance(basin.pk).contributions == Decimal("14000.00")


def test_a_correction_may_not_take_back_money_already_committed(
    basin, reference_rate, staff, manager
):
    movement = fund(basin, Decimal("15000.00"), by=staff)
    grant(approved_dossier(basin), Decimal("15000.00"), manager)
    with pytest.raises(ValidationError) as refusal:
        register_contribution(
            contribution=movement.contribution, amount=Decimal("-0.01"), on=D(2007, 6, 5), by=staff
        )
    assert "insuffisant pour les avances accordées" in refusal.value.message_dict["amount"][0]


def test_only_the_basin_operators_feed_its_fund(basin, other_basin):
    contribution = ContributionFactory(
        funder__basin=basin, committed=Decimal("1000"), earmarked_for_advances=Decimal("1000")
    )
    with pytest.raises(PermissionDenied):
        register_contribution(
            contribution=contribution,
            amount=Decimal("1000"),
            on=D(2007, 1, 5),
            by=make_user(Role.STAFF, other_basin),
        )
    assert not Contribution.objects.filter(advance_fund_movements__isnull=False).exists()
