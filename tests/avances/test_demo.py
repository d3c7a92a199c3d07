"""The advances of `load_demo`: the 13 Valenciennes advances of the first period, their
fund, schedules, payments and follow-up, measured in the database."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import Sum
from django.utils import timezone

from alize.models import Basin, Contribution
from avances.models import (
    Advance,
    CollectiveProceeding,
    DeMinimisDeclaration,
    Disbursement,
    DunningKind,
    Frequency,
    FundMovement,
    MovementKind,
    Payment,
    ProceedingKind,
    Schedule,
    ScheduleKind,
    WriteOff,
    WriteOffStatus,
)
from avances.selectors import fund_balance
from comites.workflow import DecisionOutcome
from demo.comites import first_period_decisions
from tests.conftest import load_demo

pytestmark = pytest.mark.django_db

STAFF_EMAIL = "chargee.mission@alize.demo"
MANAGER_EMAIL = "responsable@alize.demo"


run = load_demo


@pytest.fixture(scope="module")
def output(demo_output):
    return demo_output


@pytest.fixture
def basin(output):
    return Basin.objects.get(slug="valenciennois")


@pytest.fixture
def advances(basin):
    """The article's 13 advances: those the first period granted."""
    return Advance.objects.for_basin(basin).filter(
        decision_date__range=(datetime.date(2005, 7, 1), datetime.date(2008, 6, 30))
    )


def test_one_advance_per_approval_granting_one(advances):
    assert advances.count() == 13
    granting = first_period_decisions().filter(
        outcome=DecisionOutcome.APPROVED, advance_granted__gt=0
    )
    by_dossier = {d.item.dossier_id: d for d in granting.select_related("item")}
    assert set(advances.values_list("dossier", flat=True)) == set(by_dossier)
    for advance in advances:
        decision = by_dossier[advance.dossier_id]
        assert advance.amount == decision.advance_granted == advance.requested_copied
        assert advance.amount <= Decimal("15000.00") == advance.cap_copied
        assert advance.decision_date == decision.decision_date
        assert advance.granted_by.email == MANAGER_EMAIL
    assert advances.aggregate(total=Sum("amount"))["total"] == Decimal("148500.00")


def test_de_minimis_declarations_before_each_decision(advances):
    for advance in advances.select_related("dossier__pme"):
        declaration = DeMinimisDeclaration.objects.filter(
            pme=advance.dossier.pme, declared_on__lte=advance.decision_date
        ).get()
        assert declaration.recorded_at.date() == declaration.declared_on
        assert advance.gross_grant_equivalent > 0


def test_contract_disbursement_and_schedule_on_default_terms(advances):
    for advance in advances:
        disbursement = Disbursement.objects.get(advance=advance)
        assert advance.decision_date < advance.contract_signed_on < disbursement.disbursed_on
        assert disbursement.amount == advance.amount
        assert (advance.duration_months, advance.grace_months, advance.frequency) == (
            36,
            6,
            Frequency.MONTHLY,
        )
        initial = advance.schedules.get(kind=ScheduleKind.INITIAL)
        assert initial.starts_on == disbursement.disbursed_on
        assert initial.instalments.count() == 30


def test_payments_dated_in_the_past_as_they_happened(advances):
    payments = Payment.objects.filter(advance__in=advances)
    assert payments.count() > 300
    assert not payments.filter(paid_on__gt=timezone.localdate()).exists()
    for payment in payments[:50]:
        assert timezone.localdate(payment.recorded_at) == payment.paid_on


def test_most_advances_are_repaid(advances):
    repaid = advances.repaid()
    # 13, less the late one and the written-off one (the rescheduled one paid off).
    assert repaid.count() == 11
    assert advances.get(dossier__pme__name="Heuille") in repaid


def test_exactly_one_late_with_its_dunning_trail(advances):
    late = advances.late()
    assert late.count() == 1
    advance = late.get()
    assert advance.dossier.pme.name == "Le Relais de la Scarpe"
    assert advance.days_late > 90
    steps = list(advance.dunning_steps.order_by("sent_on"))
    assert [step.kind for step in steps] == [DunningKind.REMINDER, DunningKind.FORMAL_NOTICE]
    assert steps[0].oldest_due_date == advance.oldest_unpaid_due_date
    assert advances.with_delinquency().get(pk=advance.pk).delinquency == "plus_90"


def test_exactly_one_rescheduled_then_repaid(advances):
    rescheduled = advances.rescheduled()
    assert rescheduled.count() == 1
    advance = rescheduled.get()
    assert advance.dossier.pme.name == "Menuiserie Bois de la Scarpe"
    schedules = list(advance.schedules.order_by("version"))
    assert [(s.kind, s.is_active) for s in schedules] == [
        (ScheduleKind.INITIAL, False),
        (ScheduleKind.RESCHEDULING, True),
    ]
    assert schedules[1].reason
    # Payments made under the first schedule stay with it.
    assert schedules[0].instalments.filter(allocations__isnull=False).exists()
    assert advance in advances.repaid()
    assert advance.dunning_steps.filter(kind=DunningKind.REMINDER).exists()


def test_exactly_one_written_off_after_liquidation(advances):
    assert advances.written_off().count() == 1
    advance = advances.written_off().get()
    assert advance.dossier.pme.name == "Thermolaquage de l'Abbaye"
    proceeding = CollectiveProceeding.objects.get(advance=advance)
    assert proceeding.kind == ProceedingKind.LIQUIDATION
    assert proceeding.publication_date <= proceeding.claim_declared_on
    assert proceeding.claim_declared_on <= proceeding.claim_deadline
    write_off = WriteOff.objects.get(advance=advance)
    assert write_off.status == WriteOffStatus.APPROVED
    assert write_off.requested_by.email == STAFF_EMAIL
    assert write_off.decided_by.email == MANAGER_EMAIL
    assert write_off.amount == proceeding.claim_amount > 0
    assert advance.written_off_on > proceeding.claim_declared_on
    assert not advance.payments.filter(paid_on__gt=advance.written_off_on).exists()


def test_the_renewal_lent_again_what_the_first_period_repaid(basin, advances):
    renewal = Advance.objects.for_basin(basin).exclude(pk__in=advances)
    assert renewal.count() == 3
    assert renewal.aggregate(total=Sum("amount"))["total"] == Decimal("30000.00")
    for advance in renewal:
        assert advance.decision_date >= datetime.date(2008, 7, 1)
        assert advance.disbursements.get().amount == advance.amount
    # No new money reached the fund: the renewal's advances came out of the repayments.
    assert not FundMovement.objects.filter(
        basin=basin, kind=MovementKind.CONTRIBUTION, on__gte=datetime.date(2008, 7, 1)
    ).exists()
    assert renewal.repaid().count() == 3


def test_the_fund_ledger_reconciles(basin):
    # Every advance of the basin, first period and renewal: the fund is the basin's.
    advances = Advance.objects.for_basin(basin)
    ledger = FundMovement.objects.filter(basin=basin)

    def total(kind):
        return ledger.filter(kind=kind).aggregate(t=Sum("amount"))["t"]

    disbursed = Disbursement.objects.filter(advance__in=advances).aggregate(t=Sum("amount"))["t"]
    repaid = Payment.objects.filter(advance__in=advances).aggregate(t=Sum("amount"))["t"]
    assert total(MovementKind.CONTRIBUTION) == Decimal("160000.00")
    assert total(MovementKind.DISBURSEMENT) == -disbursed
    assert total(MovementKind.REPAYMENT) == repaid
    balance = fund_balance(basin.pk)
    assert balance.cash == Decimal("160000.00") - disbursed + repaid
    assert balance.committed == 0
    assert balance.available == balance.cash > 0
    # Never more registered from a contribution than its part earmarked for advances.
    for contribution in Contribution.objects.filter(
        advance_fund_movements__isnull=False
    ).distinct():
        registered = ledger.filter(contribution=contribution).aggregate(t=Sum("amount"))["t"]
        assert 0 < registered <= contribution.earmarked_for_advances


def test_indicators_agree_with_the_records(advances):
    figures = advances.indicators()
    disbursed = Disbursement.objects.filter(advance__in=advances).aggregate(t=Sum("amount"))["t"]
    repaid = Payment.objects.filter(advance__in=advances).aggregate(t=Sum("amount"))["t"]
    written_off = WriteOff.objects.get(advance__in=advances).amount
    late = advances.late().get()
    late_outstanding = late.amount - late.payments.aggregate(t=Sum("amount"))["t"]
    assert figures["granted"] == Decimal("148500.00")
    assert figures["granted_count"] == figures["disbursed_count"] == 13
    assert figures["disbursed"] == disbursed == figures["granted"]
    assert figures["repaid"] == repaid
    assert figures["written_off"] == written_off
    assert figures["written_off_count"] == 1
    assert figures["outstanding"] == late_outstanding
    assert disbursed == repaid + written_off + late_outstanding
    assert figures["loss_rate"] == (written_off * 100 / disbursed).quantize(Decimal("0.01"))
    assert figures["par90"] == Decimal("100.00")
    assert Decimal("90") < figures["repayment_rate"] < Decimal("100")


def test_output_sums_up_the_advances(output):
    assert "Avances : 13 accordées (148\u202f500\u00a0€)" in output
    assert "1 en retard, 1 rééchelonnée, 1 passée en perte" in output


def row_counts() -> dict[str, int]:
    """Rows of the advance tables, the referential and the audit trail."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"avances", "alize", "pghistory"}
    ]
    return {model._meta.label: model.objects.count() for model in models}


def test_second_run_writes_nothing(output):
    before = row_counts()
    assert before["avances.Payment"] and before["avances.PaymentEvent"]
    output = run()
    assert row_counts() == before
    assert "Rien à changer" in output


def test_schedules_were_drawn_up_when_the_money_left(advances):
    for schedule in Schedule.objects.filter(advance__in=advances):
        assert schedule.created_at.year < 2011
    assert datetime.date(2005, 7, 1) <= min(a.decision_date for a in advances)


def test_the_outstanding_as_of_a_past_day_is_what_the_records_say(advances):
    """As of 31 December 2009 (the issue's example): tranches paid out and repayments made
    by then. It used to say 3,200.00 € (every repayment up to today). Thermolaquage de
    l'Abbaye, in liquidation, was written off only in 2010: on that day it still owed its
    5,750.00 €, which the issue's 17,456.05 € left out."""
    day = datetime.date(2009, 12, 31)
    live = advances.exclude(written_off_on__lte=day)
    disbursed = Disbursement.objects.filter(advance__in=live, disbursed_on__lte=day)
    repaid = Payment.objects.filter(advance__in=live, paid_on__lte=day)
    records = disbursed.aggregate(t=Sum("amount"))["t"] - repaid.aggregate(t=Sum("amount"))["t"]
    figures = advances.indicators(day)
    assert figures["outstanding"] == records == Decimal("23206.05")
    assert figures["written_off_count"] == 0
    written_off = advances.written_off().get()
    assert written_off.written_off_on > day
    assert records - WriteOff.objects.get(advance=written_off).amount == Decimal("17456.05")
    assert figures["outstanding"] > advances.indicators()["outstanding"]


def test_the_demo_basin_moves_due_dates_to_the_next_business_day(advances):
    from alize.business_days import DueDateRule, is_business_day
    from avances.models import Instalment

    assert advances.first().basin.due_date_rule == DueDateRule.NEXT_BUSINESS_DAY
    due = Instalment.objects.filter(schedule__advance__in=advances).values_list(
        "due_date", flat=True
    )
    assert due and all(is_business_day(day) for day in due)
