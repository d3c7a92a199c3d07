"""Late advances: days late, buckets, the portfolio at risk, dunning, proceedings, write-off."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from alize.models import Role
from avances.models import (
    Advance,
    CollectiveProceeding,
    Delinquency,
    DunningKind,
    FundMovement,
    MovementKind,
    ProceedingKind,
    WriteOff,
    WriteOffStatus,
)
from avances.selectors import dunning_letter_data, fund_balance
from avances.services import (
    approve_write_off,
    open_proceeding,
    record_claim_declaration,
    record_dunning_step,
    reject_write_off,
    request_write_off,
)
from tests.avances.factories import AdvanceFactory
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2008, 3, 1)


@pytest.fixture
def portfolio(basin):
    """Four advances of 10,000 € disbursed on 16 April 2007, instalments of 333.33 € due
    on the 16th from November 2007. On 1 March 2008, four instalments are due."""
    return {
        "on_time": AdvanceFactory(basin=basin, disbursed=True, paid_instalments=4),
        "two_weeks": AdvanceFactory(basin=basin, disbursed=True, paid_instalments=3),
        "six_weeks": AdvanceFactory(basin=basin, disbursed=True, paid_instalments=2),
        "never_paid": AdvanceFactory(basin=basin, late=True),
    }


def test_days_late_and_buckets_are_computed_by_the_database(portfolio, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = {
            a.pk: (a.oldest_unpaid_due_date, a.days_late, a.delinquency)
            for a in Advance.objects.with_delinquency(TODAY)
        }
    assert rows[portfolio["on_time"].pk] == (None, 0, Delinquency.CURRENT)
    assert rows[portfolio["two_weeks"].pk] == (D(2008, 2, 16), 14, Delinquency.DAYS_1_30)
    assert rows[portfolio["six_weeks"].pk] == (D(2008, 1, 16), 45, Delinquency.DAYS_31_90)
    # 16/11/2007 → 01/03/2008: 30 + 31 + 31 + 14 days (February 2008 has 29).
    assert rows[portfolio["never_paid"].pk] == (D(2007, 11, 16), 106, Delinquency.OVER_90)


def test_an_instalment_due_today_is_not_late_yet(portfolio):
    advance = Advance.objects.with_days_late(D(2007, 11, 16)).get(pk=portfolio["never_paid"].pk)
    assert advance.days_late == 0
    advance = Advance.objects.with_days_late(D(2007, 11, 17)).get(pk=portfolio["never_paid"].pk)
    assert advance.days_late == 1


def test_a_partly_paid_instalment_is_still_late(basin, staff):
    from avances.services import record_payment

    advance = AdvanceFactory(basin=basin, disbursed=True)
    record_payment(advance=advance, paid_on=D(2007, 11, 16), amount=Decimal("333.32"), by=staff)
    assert Advance.objects.with_days_late(D(2007, 11, 20)).get(pk=advance.pk).days_late == 4


def test_the_late_work_queue_longest_late_first(portfolio):
    queue = list(Advance.objects.late(TODAY, more_than_days=30))
    assert queue == [portfolio["never_paid"], portfolio["six_weeks"]]
    assert list(Advance.objects.late(TODAY)) == [
        portfolio["never_paid"],
        portfolio["six_weeks"],
        portfolio["two_weeks"],
    ]


def test_portfolio_at_risk(portfolio):
    figures = Advance.objects.indicators(TODAY)

    outstanding = Decimal("10000.00") * 4 - Decimal("333.33") * (4 + 3 + 2)  # 37,000.03 €
    assert figures["outstanding"] == outstanding
    par30 = (Decimal("10000.00") + Decimal("9333.34")) * 100 / outstanding
    par90 = Decimal("10000.00") * 100 / outstanding
    assert figures["par30"] == par30.quantize(Decimal("0.01"))  # 52.25 %
    assert figures["par90"] == par90.quantize(Decimal("0.01"))  # 27.03 %
    assert (figures["par30"], figures["par90"]) == (Decimal("52.25"), Decimal("27.03"))


# --- Dunning ------------------------------------------------------------------------------


def test_a_reminder_records_what_is_overdue(portfolio, staff):
    advance = portfolio["never_paid"]
    step = record_dunning_step(
        advance=advance, kind=DunningKind.REMINDER, sent_on=D(2007, 12, 20), by=staff
    )

    assert step.overdue_amount == Decimal("666.66")
    assert step.oldest_due_date == D(2007, 11, 16)
    assert step.days_late == 34
    assert step.pay_by == D(2008, 1, 4)
    pme = advance.dossier.pme
    assert step.recipient_name == pme.name
    assert step.recipient_address.startswith(pme.address)
    letter = dunning_letter_data(step)
    assert letter.title == "Relance"
    assert letter.operator_name == "CCI du Valenciennois"
    assert letter.advance_reference == advance.reference


def test_a_formal_notice_follows_a_reminder(portfolio, staff):
    advance = portfolio["never_paid"]
    with pytest.raises(ValidationError) as refusal:
        record_dunning_step(
            advance=advance, kind=DunningKind.FORMAL_NOTICE, sent_on=D(2008, 1, 20), by=staff
        )
    assert refusal.value.messages == [
        "Une mise en demeure suit une relance restée sans effet : envoyez d'abord une relance."
    ]
    reminder = record_dunning_step(
        advance=advance, kind=DunningKind.REMINDER, sent_on=D(2007, 12, 20), by=staff
    )
    notice = record_dunning_step(
        advance=advance, kind=DunningKind.FORMAL_NOTICE, sent_on=D(2008, 1, 20), by=staff
    )
    assert notice.pay_by == D(2008, 1, 28)
    assert notice.overdue_amount == Decimal("999.99")
    assert dunning_letter_data(notice).previous_steps == [reminder]


def test_no_reminder_when_nothing_is_overdue(portfolio, staff):
    with pytest.raises(ValidationError) as refusal:
        record_dunning_step(
            advance=portfolio["on_time"], kind=DunningKind.REMINDER, sent_on=TODAY, by=staff
        )
    assert "n'a aucune échéance impayée au 01/03/2008" in refusal.value.messages[0]


# --- Collective proceedings -----------------------------------------------------------------


def test_the_claim_deadline_is_two_months_after_publication(portfolio, staff):
    proceeding = open_proceeding(
        advance=portfolio["never_paid"],
        kind=ProceedingKind.RECEIVERSHIP,
        judgment_date=D(2007, 12, 18),
        publication_date=D(2007, 12, 31),
        court="Tribunal de commerce de Valenciennes",
        by=staff,
    )
    # 31 December + 2 months: 29 February 2008 (a leap year).
    assert proceeding.claim_deadline == D(2008, 2, 29)
    assert Advance.objects.in_proceedings().get() == portfolio["never_paid"]


def test_the_work_queue_shows_claims_to_declare_nearest_deadline_first(portfolio, staff):
    later = open_proceeding(
        advance=portfolio["six_weeks"],
        kind=ProceedingKind.SAFEGUARD,
        judgment_date=D(2008, 1, 10),
        publication_date=D(2008, 1, 25),
        by=staff,
    )
    sooner = open_proceeding(
        advance=portfolio["never_paid"],
        kind=ProceedingKind.LIQUIDATION,
        judgment_date=D(2007, 12, 18),
        publication_date=D(2007, 12, 31),
        by=staff,
    )

    queue = list(CollectiveProceeding.objects.claims_to_declare(D(2008, 2, 1)))
    assert queue == [sooner, later]
    # 29/02/2008 and 25/03/2008, seen from 01/02/2008.
    assert [p.days_left for p in queue] == [28, 53]

    declared = record_claim_declaration(proceeding=sooner, declared_on=D(2008, 2, 4), by=staff)
    assert declared.claim_amount == Decimal("10000.00")
    assert list(CollectiveProceeding.objects.claims_to_declare(D(2008, 2, 1))) == [later]


def test_publication_precedes_nothing_before_the_judgment(portfolio, staff):
    with pytest.raises(ValidationError):
        open_proceeding(
            advance=portfolio["never_paid"],
            kind=ProceedingKind.LIQUIDATION,
            judgment_date=D(2008, 1, 10),
            publication_date=D(2008, 1, 2),
            by=staff,
        )


# --- Write-off ----------------------------------------------------------------------------


def test_write_off_is_requested_by_staff_then_approved_by_a_manager(portfolio, staff, manager):
    advance = portfolio["six_weeks"]
    request = request_write_off(
        advance=advance,
        reason="Liquidation judiciaire clôturée pour insuffisance d'actif.",
        by=staff,
    )
    assert request.status == WriteOffStatus.REQUESTED
    assert not Advance.objects.get(pk=advance.pk).written_off_on

    approved = approve_write_off(write_off=request, by=manager, on=D(2009, 6, 30))

    assert approved.status == WriteOffStatus.APPROVED
    assert approved.amount == Decimal("9333.34")
    advance.refresh_from_db()
    assert advance.written_off_on == D(2009, 6, 30)
    note = FundMovement.objects.get(write_off=approved)
    assert (note.kind, note.amount, note.memo_amount) == (
        MovementKind.WRITE_OFF,
        Decimal("0.00"),
        Decimal("9333.34"),
    )
    assert list(Advance.objects.written_off()) == [advance]
    # From its write-off on it owes nothing and is late no more; before, it was late.
    assert advance not in Advance.objects.late()
    assert advance not in Advance.objects.late(D(2009, 6, 30))
    assert advance in Advance.objects.late(TODAY)


def test_nobody_approves_their_own_write_off_request(portfolio, manager, staff):
    request = request_write_off(advance=portfolio["never_paid"], reason="Cessation.", by=manager)
    with pytest.raises(PermissionDenied) as refusal:
        approve_write_off(write_off=request, by=manager)
    assert "un(e) autre responsable doit le décider" in str(refusal.value)
    with pytest.raises(PermissionDenied):
        approve_write_off(write_off=request, by=staff)
    approve_write_off(write_off=request, by=make_user(Role.MANAGER, manager.basins.get()))


def test_the_database_keeps_four_eyes_on_write_offs(portfolio, manager):
    request = request_write_off(advance=portfolio["never_paid"], reason="Cessation.", by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        WriteOff.objects.filter(pk=request.pk).update(
            status=WriteOffStatus.APPROVED,
            decided_by=manager,
            decided_at=request.requested_at,
            amount=Decimal("1.00"),
        )


def test_a_rejected_write_off_can_be_asked_again(portfolio, staff, manager):
    advance = portfolio["never_paid"]
    request = request_write_off(advance=advance, reason="Cessation.", by=staff)
    with pytest.raises(ValidationError):
        request_write_off(advance=advance, reason="Encore.", by=staff)
    reject_write_off(write_off=request, by=manager, comment="Un plan de continuation est en vue.")
    with pytest.raises(ValidationError):
        approve_write_off(write_off=request, by=manager)
    assert request_write_off(advance=advance, reason="Liquidation prononcée.", by=staff)


def test_writing_off_releases_what_was_not_disbursed(basin, staff, manager):
    from avances.services import disburse_advance

    advance = AdvanceFactory(basin=basin, signed=True)
    disburse_advance(advance=advance, disbursed_on=D(2007, 4, 16), amount=Decimal("6000"), by=staff)
    assert fund_balance(basin.pk).committed == Decimal("4000.00")
    request = request_write_off(advance=advance, reason="Cessation d'activité.", by=staff)
    approve_write_off(write_off=request, by=manager, on=D(2008, 6, 1))
    assert fund_balance(basin.pk).committed == Decimal("0.00")
