"""Where advances stand (the list's filters) and who reads them."""

import datetime
from decimal import Decimal

import pytest

from alize.models import Role
from avances.models import Advance, ProceedingKind
from avances.services import (
    close_disbursements,
    disburse_advance,
    open_proceeding,
    reschedule_advance,
)
from tests.alize.factories import FunderFactory
from tests.avances.factories import AdvanceFactory
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date


def test_status_filters(basin, staff, manager):
    granted = AdvanceFactory(basin=basin)
    repaying = AdvanceFactory(basin=basin, disbursed=True, paid_instalments=3)
    repaid = AdvanceFactory(basin=basin, disbursed=True, paid_instalments=30)
    partly = AdvanceFactory(basin=basin, signed=True)
    disburse_advance(advance=partly, disbursed_on=D(2007, 4, 16), amount=Decimal("5000"), by=staff)
    rescheduled = AdvanceFactory(basin=basin, late=True)
    reschedule_advance(
        advance=rescheduled,
        from_date=D(2008, 6, 2),
        duration_months=24,
        grace_months=0,
        reason="Difficultés.",
        by=manager,
    )
    in_proceedings = AdvanceFactory(basin=basin, late=True)
    open_proceeding(
        advance=in_proceedings,
        kind=ProceedingKind.SAFEGUARD,
        judgment_date=D(2008, 9, 1),
        publication_date=D(2008, 9, 12),
        by=staff,
    )
    written_off = AdvanceFactory(basin=basin, written_off=True)

    def pks(queryset):
        return set(queryset.values_list("pk", flat=True))

    assert pks(Advance.objects.not_disbursed()) == {granted.pk}
    assert pks(Advance.objects.repaying()) == {
        repaying.pk,
        partly.pk,
        rescheduled.pk,
        in_proceedings.pk,
    }
    assert pks(Advance.objects.repaid()) == {repaid.pk}
    assert pks(Advance.objects.rescheduled()) == {rescheduled.pk}
    assert pks(Advance.objects.in_proceedings()) == {in_proceedings.pk}
    assert pks(Advance.objects.written_off()) == {written_off.pk}
    # Partly disbursed and repaid for what was paid out: repaid once the rest is given up.
    from avances.services import record_payment

    record_payment(advance=partly, paid_on=D(2008, 1, 10), amount=Decimal("5000"), by=staff)
    assert partly.pk not in pks(Advance.objects.repaid())
    close_disbursements(advance=partly, closed_on=D(2008, 1, 10), by=staff)
    assert partly.pk in pks(Advance.objects.repaid())


def test_balances_per_advance(basin):
    advance = AdvanceFactory(basin=basin, disbursed=True, paid_instalments=2)
    row = Advance.objects.with_balances().get(pk=advance.pk)
    assert (row.disbursed, row.repaid, row.outstanding, row.undisbursed) == (
        Decimal("10000.00"),
        Decimal("666.66"),
        Decimal("9333.34"),
        Decimal("0.00"),
    )


def test_who_reads_which_advances(basin, other_basin):
    mine = AdvanceFactory(basin=basin)
    AdvanceFactory(basin=other_basin)
    for role in (Role.STAFF, Role.MANAGER, Role.STEERING):
        assert list(Advance.objects.visible_to(make_user(role, basin))) == [mine]
    assert Advance.objects.visible_to(make_user(Role.ADMIN)).count() == 2
    funder = make_user(Role.FUNDER, basin)
    funder.funder = FunderFactory(basin=basin)
    funder.save()
    assert not Advance.objects.visible_to(funder).exists()
    assert not Advance.objects.visible_to(make_user(Role.COMMITTEE_MEMBER, basin)).exists()
