"""The dashboards' figures, computed by the database in a constant number of queries."""

import datetime
from decimal import Decimal

import pytest

from avances.models import Advance
from tests.avances.factories import AdvanceFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2008, 3, 1)


@pytest.fixture
def portfolio(basin):
    """Five advances of 10,000 € disbursed on 16 April 2007 (instalments of 333.33 € on
    the 16th from November 2007), one of them written off on 15 February 2008, and one
    granted, not disbursed."""
    AdvanceFactory(basin=basin, disbursed=True, paid_instalments=4)
    AdvanceFactory(basin=basin, disbursed=True, paid_instalments=3)
    AdvanceFactory(basin=basin, disbursed=True, paid_instalments=2)
    AdvanceFactory(basin=basin, late=True)
    AdvanceFactory(basin=basin, written_off=D(2008, 2, 15))
    AdvanceFactory(basin=basin, amount=Decimal("5000.00"), dossier__bank_loans=Decimal("10000"))


def test_indicators(portfolio):
    figures = Advance.objects.indicators(TODAY)

    repaid = Decimal("333.33") * (4 + 3 + 2)
    assert figures["granted"] == Decimal("55000.00")
    assert figures["granted_count"] == 6
    assert figures["disbursed"] == Decimal("50000.00")
    assert figures["disbursed_count"] == 5
    assert figures["repaid"] == repaid == Decimal("2999.97")
    assert figures["outstanding"] == Decimal("40000.00") - repaid
    assert figures["written_off"] == Decimal("10000.00")
    assert figures["written_off_count"] == 1
    # Four live advances × four instalments due (1,333.32 €): 5,333.28 € due, 2,999.97 €
    # of it paid.
    assert figures["repayment_rate"] == Decimal("56.25")
    assert figures["loss_rate"] == Decimal("20.00")
    assert figures["par30"] == Decimal("52.25")
    assert figures["par90"] == Decimal("27.03")
    # 5 × 40,000 € + 10,000 € of bank loans for 55,000 € of advances.
    assert figures["leverage"] == Decimal("3.82")


def test_early_payments_do_not_lift_the_repayment_rate_above_100(basin, staff):
    from avances.services import record_payment

    advance = AdvanceFactory(basin=basin, disbursed=True, paid_instalments=1)
    record_payment(advance=advance, paid_on=D(2007, 11, 20), amount=Decimal("3000"), by=staff)
    figures = Advance.objects.indicators(D(2007, 12, 1))
    assert figures["repayment_rate"] == Decimal("100.00")
    assert figures["repaid"] == Decimal("3333.33")


def test_a_rescheduled_advance_counts_what_was_paid_before_as_due_and_paid(basin, staff, manager):
    from avances.services import reschedule_advance

    advance = AdvanceFactory(basin=basin, disbursed=True, paid_instalments=2)
    reschedule_advance(
        advance=advance,
        from_date=D(2008, 3, 1),
        duration_months=12,
        grace_months=0,
        reason="Difficultés passagères.",
        by=manager,
    )
    # On 1 April 2008: 666.66 € paid under the first schedule, 777.78 € due under the new.
    figures = Advance.objects.indicators(D(2008, 4, 1))
    expected = Decimal("666.66") * 100 / (Decimal("666.66") + Decimal("777.77"))
    assert figures["repayment_rate"] == expected.quantize(Decimal("0.01"))


def test_empty_portfolio(db):
    figures = Advance.objects.indicators(TODAY)
    assert figures["granted"] == Decimal("0.00")
    assert figures["repayment_rate"] is None
    assert figures["par30"] is None
    assert figures["leverage"] is None


def test_indicators_take_one_query_however_many_advances(
    basin, other_basin, django_assert_num_queries
):
    AdvanceFactory(basin=basin, disbursed=True, paid_instalments=2)
    with django_assert_num_queries(1):
        Advance.objects.indicators(TODAY)
    for _ in range(3):
        AdvanceFactory(basin=basin, late=True)
    AdvanceFactory(basin=other_basin, disbursed=True, paid_instalments=5)
    with django_assert_num_queries(1):
        figures = Advance.objects.for_basin(basin).indicators(TODAY)
    assert figures["granted_count"] == 4
