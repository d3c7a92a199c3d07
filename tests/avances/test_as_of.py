"""Figures as of a day: balances, days late and the fund's indicators read the records as
they stood at the end of that day; a written-off advance owes nothing, in the list, its
page and the totals."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from alize.formatting import euros
from avances.models import Advance
from avances.services import record_payment, reschedule_advance
from tests.avances.factories import WRITE_OFF_DAY, AdvanceFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_balances_and_days_late_as_of_a_past_day_ignore_later_payments(basin, staff):
    # Instalments of 333.33 € on the 16th from 16 November 2007; three paid on their dates.
    advance = AdvanceFactory(basin=basin, disbursed=True, paid_instalments=3)
    as_of = D(2008, 6, 30)

    def read():
        row = Advance.objects.with_balances(as_of=as_of).with_days_late(as_of).get(pk=advance.pk)
        return row.repaid, row.outstanding, row.oldest_unpaid_due_date, row.days_late

    before = read()
    assert before == (Decimal("999.99"), Decimal("9000.01"), D(2008, 2, 16), 135)
    figures = Advance.objects.indicators(as_of)

    # Years later the SME pays everything back.
    record_payment(advance=advance, paid_on=D(2010, 1, 4), amount=Decimal("9000.01"), by=staff)

    assert read() == before
    assert Advance.objects.indicators(as_of) == figures
    assert figures["outstanding"] == Decimal("9000.01")
    assert figures["par90"] == Decimal("100.00")
    # Today it owes nothing and is late no more.
    today = Advance.objects.with_balances().with_days_late().get(pk=advance.pk)
    assert (today.outstanding, today.days_late) == (Decimal("0.00"), 0)


def test_the_schedule_in_force_on_the_day_counts_not_a_later_rescheduling(basin, manager):
    advance = AdvanceFactory(basin=basin, disbursed=True, paid_instalments=2)
    as_of = D(2008, 3, 1)  # 16 January and 16 February 2008 unpaid under the first schedule
    before = Advance.objects.with_days_late(as_of).get(pk=advance.pk)
    assert (before.oldest_unpaid_due_date, before.days_late) == (D(2008, 1, 16), 45)
    due_before = Advance.objects.indicators(as_of)["repayment_rate"]

    reschedule_advance(
        advance=advance,
        from_date=D(2008, 4, 1),
        duration_months=24,
        grace_months=3,
        reason="Difficultés passagères.",
        by=manager,
    )

    after = Advance.objects.with_days_late(as_of).get(pk=advance.pk)
    assert (after.oldest_unpaid_due_date, after.days_late) == (D(2008, 1, 16), 45)
    assert Advance.objects.indicators(as_of)["repayment_rate"] == due_before == Decimal("50.00")
    # From its start, the new schedule is in force: nothing is due under it yet.
    assert Advance.objects.with_days_late(D(2008, 4, 2)).get(pk=advance.pk).days_late == 0


def test_a_write_off_counts_from_its_day_on(basin):
    advance = AdvanceFactory(basin=basin, written_off=True)  # approved on 30 June 2009
    before = Advance.objects.with_balances(as_of=D(2009, 6, 29)).with_days_late(D(2009, 6, 29))
    row = before.get(pk=advance.pk)
    assert (row.outstanding, row.written_off_amount) == (Decimal("10000.00"), Decimal("0.00"))
    assert row.days_late > 500
    figures = Advance.objects.indicators(D(2009, 6, 29))
    assert (figures["outstanding"], figures["written_off"]) == (Decimal("10000.00"), 0)

    row = Advance.objects.with_balances(as_of=WRITE_OFF_DAY).with_days_late(WRITE_OFF_DAY)
    row = row.get(pk=advance.pk)
    assert (row.outstanding, row.written_off_amount, row.days_late) == (
        Decimal("0.00"),
        Decimal("10000.00"),
        0,
    )
    figures = Advance.objects.indicators(WRITE_OFF_DAY)
    assert (figures["outstanding"], figures["written_off"]) == (0, Decimal("10000.00"))
    assert figures["par90"] is None


def test_a_written_off_advance_owes_nothing_in_the_list_and_its_totals(client, basin, staff):
    written_off = AdvanceFactory(basin=basin, written_off=True)
    repaying = AdvanceFactory(basin=basin, disbursed=True, paid_instalments=1)
    client.force_login(staff)

    response = client.get(reverse("avances:advance_list"))

    rows = {advance.pk: advance for advance in response.context["advances"]}
    row = rows[written_off.pk]
    assert (row.outstanding, row.days_late, row.written_off_amount) == (
        Decimal("0.00"),
        0,
        Decimal("10000.00"),
    )
    assert row.status_label == "Passée en perte"
    totals = response.context["totals"]
    assert totals["outstanding_total"] == Decimal("10000.00") - Decimal("333.33")
    assert totals["written_off_total"] == Decimal("10000.00")
    page = response.content.decode()
    assert f"passé en perte : {euros(Decimal('10000'), 2)}" in page
    assert rows[repaying.pk].days_late > 0
    # On its own page: nothing owed, no days late, what was written off.
    page = client.get(reverse("avances:advance_detail", args=[written_off.pk])).content.decode()
    assert "jours de retard" not in page
    assert f"Passé en perte : {euros(Decimal('10000'), 2)}" in page
