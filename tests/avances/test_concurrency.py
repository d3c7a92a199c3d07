"""Two people acting on the same advance or fund at the same moment, on real transactions.

Each thread has its own database connection and closes it when done. A slowed-down
`full_clean` keeps the first transaction open, holding its locks, while the second one
arrives: without the locks in the services both would read the same balance.
"""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from alize.models import Role
from avances.models import Advance, Allocation, FundMovement, Instalment, Payment
from avances.selectors import fund_balance
from avances.services import record_payment
from avances.services.grant import grant_advance
from tests.alize.factories import AdvanceCapFactory, BasinFactory
from tests.avances.conftest import approved_dossier, committee_decision, fund
from tests.avances.factories import AdvanceFactory, ReferenceRateFactory
from tests.concurrency import run_together, slow_down
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

D = datetime.date


def test_two_payments_at_the_same_instant_are_both_kept_and_allocated_in_turn(monkeypatch):
    basin = BasinFactory()
    advance = AdvanceFactory(basin=basin, disbursed=True)
    alice, bob = make_user(Role.STAFF, basin), make_user(Role.STAFF, basin)
    copies = [Advance.objects.get(pk=advance.pk) for _ in range(2)]
    slow_down(monkeypatch, Payment)

    outcomes = run_together(
        lambda: record_payment(
            advance=copies[0], paid_on=D(2007, 11, 16), amount=Decimal("333.33"), by=alice
        ),
        lambda: record_payment(
            advance=copies[1], paid_on=D(2007, 11, 16), amount=Decimal("500"), by=bob
        ),
    )

    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert Payment.objects.filter(advance=advance).count() == 2
    assert Allocation.objects.aggregate(t=Sum("amount"))["t"] == Decimal("833.33")
    paid = [
        i.paid
        for i in Instalment.objects.filter(schedule__advance=advance).with_paid().order_by("number")
    ]
    # Whichever came first, the instalments are settled in order and never beyond.
    assert paid[:4] == [Decimal("333.33"), Decimal("333.33"), Decimal("166.67"), Decimal("0")]
    assert FundMovement.objects.filter(payment__advance=advance).count() == 2


def test_two_payments_that_together_overpay_only_one_passes(monkeypatch):
    basin = BasinFactory()
    advance = AdvanceFactory(basin=basin, disbursed=True)
    alice, bob = make_user(Role.STAFF, basin), make_user(Role.STAFF, basin)
    slow_down(monkeypatch, Payment)

    outcomes = run_together(
        lambda: record_payment(
            advance=advance, paid_on=D(2008, 1, 5), amount=Decimal("6000"), by=alice
        ),
        lambda: record_payment(
            advance=advance, paid_on=D(2008, 1, 5), amount=Decimal("6000"), by=bob
        ),
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refused = next(detail for kind, detail in outcomes if kind == "refused")
    assert "dépasse le capital restant dû" in refused[0]
    assert Payment.objects.aggregate(t=Sum("amount"))["t"] == Decimal("6000.00")


def test_two_grants_racing_for_the_funds_last_euros(monkeypatch):
    basin = BasinFactory(valenciennes=True)
    AdvanceCapFactory(basin=basin, amount=Decimal("15000.00"), valid_from=D(2005, 7, 1))
    ReferenceRateFactory()
    fund(basin, Decimal("20000.00"))
    first, second = approved_dossier(basin), approved_dossier(basin)
    alice, bob = make_user(Role.MANAGER, basin), make_user(Role.MANAGER, basin)
    first = committee_decision(first, Decimal("15000.00"), by=alice)
    second = committee_decision(second, Decimal("15000.00"), by=bob)
    slow_down(monkeypatch, Advance)

    outcomes = run_together(
        lambda: grant_advance(decision=first, by=alice),
        lambda: grant_advance(decision=second, by=bob),
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refused = next(detail for kind, detail in outcomes if kind == "refused")
    assert refused[0].startswith("Le fonds d'avances du bassin ne dispose que de 5")
    assert Advance.objects.count() == 1
    balance = fund_balance(basin.pk)
    assert (balance.committed, balance.available) == (Decimal("15000.00"), Decimal("5000.00"))
